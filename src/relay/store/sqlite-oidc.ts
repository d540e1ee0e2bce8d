// Single sign-on on SQLite: pending logins taken once, agents' SSO login names, the subject bound at first sign-in,
// and agents provisioned from the bank's groups (each change audited in the same transaction).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Role } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';
import { parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import { hashAgentToken } from '../agent-tokens';
import type { RelayDatabase } from './relay-db';
import type { AgentAccess, ChangedBy, PendingOidcLogin, SsoAgent } from './relay-store';
import type { SqliteAudit } from './sqlite-audit';
import type { SqliteMemberships } from './sqlite-memberships';
import type { SqliteTeams } from './sqlite-teams';

const PendingRow = z.object({
  state: z.string(),
  verifier: z.string(),
  nonce: z.string(),
  redirect_uri: z.string(),
  device_id: z.string().nullable(),
  created_at: z.number().int(),
});
const SsoRow = z.object({ id: z.string(), sso_login: z.string().nullable(), sso_issuer: z.string().nullable(), sso_subject: z.string().nullable() });
const LoginRow = z.object({ id: z.string(), sso_login: z.string() });

export class SqliteOidc {
  constructor(
    private readonly db: RelayDatabase,
    private readonly memberships: SqliteMemberships,
    private readonly teams: SqliteTeams,
    private readonly audit: SqliteAudit,
  ) {}

  /** Keeps a started login; logins older than `maxAgeMs` go at the same time, so abandoned ones never pile up. */
  savePending(login: PendingOidcLogin, maxAgeMs: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM oidc_logins WHERE created_at < ?').run(login.createdAt - maxAgeMs);
      this.db
        .prepare('INSERT INTO oidc_logins (state, verifier, nonce, redirect_uri, device_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(login.state, login.verifier, login.nonce, login.redirectUri, login.deviceId, login.createdAt);
    })();
  }

  /** Deletes the login as it reads it (a second finish finds nothing), and any login older than `maxAgeMs` with it. */
  takePending(state: string, now: number, maxAgeMs: number): Result<PendingOidcLogin> {
    return this.db.transaction((): Result<PendingOidcLogin> => {
      const row = parseRowIfAny('oidc_logins', PendingRow, this.db.prepare('DELETE FROM oidc_logins WHERE state = ? RETURNING *').get(state));
      this.db.prepare('DELETE FROM oidc_logins WHERE created_at < ?').run(now - maxAgeMs);
      if (row === undefined) return fail('unauthorized', 'the sign-in state is unknown or was already used');
      if (row.created_at < now - maxAgeMs) return fail('unauthorized', 'the sign-in state expired (older than 10 minutes)');
      return ok({
        state: row.state,
        verifier: row.verifier,
        nonce: row.nonce,
        redirectUri: row.redirect_uri,
        deviceId: row.device_id,
        createdAt: row.created_at,
      });
    })();
  }

  /** The agent whose SSO login is `name` (any case), else the agent whose id is `name`; revoked ones too. */
  findSsoAgent(name: string): SsoAgent | null {
    const row =
      parseRowIfAny(
        'agents',
        SsoRow,
        this.db.prepare('SELECT id, sso_login, sso_issuer, sso_subject FROM agents WHERE sso_login = ? COLLATE NOCASE').get(name),
      ) ?? parseRowIfAny('agents', SsoRow, this.db.prepare('SELECT id, sso_login, sso_issuer, sso_subject FROM agents WHERE id = ?').get(name));
    if (row === undefined) return null;
    const access = this.memberships.access(row.id);
    if (access === null) return null;
    const bound = row.sso_issuer !== null && row.sso_subject !== null ? { issuer: row.sso_issuer, subject: row.sso_subject } : null;
    return { access, ssoLogin: row.sso_login, bound };
  }

  /** Records the provider's issuer + subject on an agent that has none yet; false when another subject got there first. */
  bindSubject(agentId: string, issuer: string, subject: string): boolean {
    return this.db.transaction((): boolean => {
      this.db.prepare('UPDATE agents SET sso_issuer = ?, sso_subject = ? WHERE id = ? AND sso_subject IS NULL').run(issuer, subject, agentId);
      const row = parseRowIfAny('agents', SsoRow, this.db.prepare('SELECT id, sso_login, sso_issuer, sso_subject FROM agents WHERE id = ?').get(agentId));
      return row?.sso_issuer === issuer && row.sso_subject === subject;
    })();
  }

  /** Sets (or clears, with null) the name the agent signs in with at the bank, and forgets the bound subject: IT re-links. */
  setSsoLogin(agentId: string, login: string | null, now: number, by: ChangedBy | undefined): Result<void> {
    return this.db.transaction((): Result<void> => {
      const holder =
        login === null
          ? undefined
          : parseRowIfAny('agents', LoginRow, this.db.prepare('SELECT id, sso_login FROM agents WHERE sso_login = ? COLLATE NOCASE').get(login));
      if (holder !== undefined && holder.id !== agentId) return fail('conflict', `agent ${holder.id} already signs in as ${login}`);
      const changed = this.db
        .prepare('UPDATE agents SET sso_login = ?, sso_issuer = NULL, sso_subject = NULL WHERE id = ? AND (sso_login IS NOT ? OR sso_subject IS NOT NULL)')
        .run(login, agentId, login).changes;
      if (changed === 0) return this.memberships.access(agentId) === null ? fail('not_found', `there is no agent ${agentId}`) : ok(undefined);
      this.memberships.bump(agentId);
      this.audit.appendChange('agent.change', agentId, by, now, { ssoLogin: login });
      return ok(undefined);
    })();
  }

  /** Each agent's SSO login, for `agents list`. */
  ssoLogins(): ReadonlyMap<string, string> {
    const rows = parseRows('agents', LoginRow, this.db.prepare('SELECT id, sso_login FROM agents WHERE sso_login IS NOT NULL').all());
    return new Map(rows.map((r) => [r.id, r.sso_login]));
  }

  /**
   * Creates an agent for an identity the bank's groups grant teams to, bound to its subject. It has no usable static
   * token (a random one nobody is shown): it signs in through SSO only until IT rotates one.
   */
  provision(
    agent: { id: string; name: string; ssoLogin: string; issuer: string; subject: string; teams: readonly string[]; role: Role },
    now: number,
    source: string,
  ): Result<AgentAccess> {
    return this.db.transaction((): Result<AgentAccess> => {
      const unknown = this.teams.firstUnknown(agent.teams);
      if (unknown !== undefined) return fail('forbidden', `the sign-in mapping grants team ${unknown}, which does not exist on this relay; ask IT`);
      if (this.db.prepare('SELECT 1 FROM agents WHERE id = ?').get(agent.id) !== undefined) return fail('conflict', `agent ${agent.id} already exists`);
      this.db
        .prepare('INSERT INTO agents (id, name, token_hash, created_at, role, sso_login, sso_issuer, sso_subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(agent.id, agent.name, hashAgentToken(randomBytes(32).toString('base64url')), now, agent.role, agent.ssoLogin, agent.issuer, agent.subject);
      this.memberships.setTeams(agent.id, agent.teams);
      this.audit.append({
        at: now,
        action: 'agent.provisioned',
        actorId: null,
        source,
        subjectId: agent.id,
        detail: { role: agent.role, teams: agent.teams.join(','), via: 'sso' },
      });
      return ok(this.memberships.access(agent.id)!);
    })();
  }
}
