// Single sign-on records: pending logins taken once, agents' SSO login names, the subject bound at first sign-in,
// and agents provisioned from the bank's groups (each change audited in the same transaction).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Role } from '../../../shared/domain';
import { fail, ok, type Result } from '../../../shared/errors';
import { parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import { hashAgentToken } from '../../agent-tokens';
import type { SqlDatabase } from '../sql/sql-database';
import type { AgentAccess, ChangedBy, PendingOidcLogin, SsoAgent } from '../relay-store';
import type { AuditRecords } from './audit';
import type { MembershipRecords } from './memberships';
import type { TeamRecords } from './teams';

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

export class OidcRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly memberships: MembershipRecords,
    private readonly teams: TeamRecords,
    private readonly audit: AuditRecords,
  ) {}

  /** Keeps a started login; logins older than `maxAgeMs` go at the same time, so abandoned ones never pile up. */
  async savePending(login: PendingOidcLogin, maxAgeMs: number): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('DELETE FROM oidc_logins WHERE created_at < ?', [login.createdAt - maxAgeMs]);
      await this.db.run('INSERT INTO oidc_logins (state, verifier, nonce, redirect_uri, device_id, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        login.state,
        login.verifier,
        login.nonce,
        login.redirectUri,
        login.deviceId,
        login.createdAt,
      ]);
    });
  }

  /** Deletes the login as it reads it (a second finish finds nothing), and any login older than `maxAgeMs` with it. */
  async takePending(state: string, now: number, maxAgeMs: number): Promise<Result<PendingOidcLogin>> {
    return this.db.transaction(async (): Promise<Result<PendingOidcLogin>> => {
      const row = parseRowIfAny('oidc_logins', PendingRow, await this.db.get('DELETE FROM oidc_logins WHERE state = ? RETURNING *', [state]));
      await this.db.run('DELETE FROM oidc_logins WHERE created_at < ?', [now - maxAgeMs]);
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
    });
  }

  /** The agent whose SSO login is `name` (any case), else the agent whose id is `name`; revoked ones too. */
  async findSsoAgent(name: string): Promise<SsoAgent | null> {
    const row =
      parseRowIfAny(
        'agents',
        SsoRow,
        await this.db.get('SELECT id, sso_login, sso_issuer, sso_subject FROM agents WHERE lower(sso_login) = lower(?)', [name]),
      ) ?? parseRowIfAny('agents', SsoRow, await this.db.get('SELECT id, sso_login, sso_issuer, sso_subject FROM agents WHERE id = ?', [name]));
    if (row === undefined) return null;
    const access = await this.memberships.access(row.id);
    if (access === null) return null;
    const bound = row.sso_issuer !== null && row.sso_subject !== null ? { issuer: row.sso_issuer, subject: row.sso_subject } : null;
    return { access, ssoLogin: row.sso_login, bound };
  }

  /** Records the provider's issuer + subject on an agent that has none yet; false when another subject got there first. */
  async bindSubject(agentId: string, issuer: string, subject: string): Promise<boolean> {
    return this.db.transaction(async (): Promise<boolean> => {
      await this.db.run('UPDATE agents SET sso_issuer = ?, sso_subject = ? WHERE id = ? AND sso_subject IS NULL', [issuer, subject, agentId]);
      const row = parseRowIfAny('agents', SsoRow, await this.db.get('SELECT id, sso_login, sso_issuer, sso_subject FROM agents WHERE id = ?', [agentId]));
      return row?.sso_issuer === issuer && row.sso_subject === subject;
    });
  }

  /** Sets (or clears, with null) the name the agent signs in with at the bank, and forgets the bound subject: IT re-links. */
  async setSsoLogin(agentId: string, login: string | null, now: number, by: ChangedBy | undefined): Promise<Result<void>> {
    return this.db.transaction(async (): Promise<Result<void>> => {
      const holder =
        login === null
          ? undefined
          : parseRowIfAny('agents', LoginRow, await this.db.get('SELECT id, sso_login FROM agents WHERE lower(sso_login) = lower(?)', [login]));
      if (holder !== undefined && holder.id !== agentId) return fail('conflict', `agent ${holder.id} already signs in as ${login}`);
      // Only a change is written (and audited): `sso_login IS NOT ?` spelled out, since only NULL may follow IS.
      const differs = login === null ? 'sso_login IS NOT NULL' : '(sso_login IS NULL OR sso_login <> ?)';
      const { changes } = await this.db.run(
        `UPDATE agents SET sso_login = ?, sso_issuer = NULL, sso_subject = NULL WHERE id = ? AND (${differs} OR sso_subject IS NOT NULL)`,
        login === null ? [null, agentId] : [login, agentId, login],
      );
      if (changes === 0) return (await this.memberships.access(agentId)) === null ? fail('not_found', `there is no agent ${agentId}`) : ok(undefined);
      await this.memberships.bump(agentId);
      await this.audit.appendChange('agent.change', agentId, by, now, { ssoLogin: login });
      return ok(undefined);
    });
  }

  /** Each agent's SSO login, for `agents list`. */
  async ssoLogins(): Promise<ReadonlyMap<string, string>> {
    const rows = parseRows('agents', LoginRow, await this.db.all('SELECT id, sso_login FROM agents WHERE sso_login IS NOT NULL'));
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
  ): Promise<Result<AgentAccess>> {
    return this.db.transaction(async (): Promise<Result<AgentAccess>> => {
      const unknown = await this.teams.firstUnknown(agent.teams);
      if (unknown !== undefined) return fail('forbidden', `the sign-in mapping grants team ${unknown}, which does not exist on this relay; ask IT`);
      if ((await this.db.get('SELECT 1 AS one FROM agents WHERE id = ?', [agent.id])) !== undefined)
        return fail('conflict', `agent ${agent.id} already exists`);
      await this.db.run('INSERT INTO agents (id, name, token_hash, created_at, role, sso_login, sso_issuer, sso_subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        agent.id,
        agent.name,
        hashAgentToken(randomBytes(32).toString('base64url')),
        now,
        agent.role,
        agent.ssoLogin,
        agent.issuer,
        agent.subject,
      ]);
      await this.memberships.setTeams(agent.id, agent.teams);
      await this.audit.append({
        at: now,
        action: 'agent.provisioned',
        actorId: null,
        source,
        subjectId: agent.id,
        detail: { role: agent.role, teams: agent.teams.join(','), via: 'sso' },
      });
      return ok((await this.memberships.access(agent.id))!);
    });
  }
}
