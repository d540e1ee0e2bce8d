// Agents and their devices on SQLite: tokens stored only as hashes, teams and roles, revocation and rotation (each
// bumping access_version so live sessions close), each device's last ack and access version.
import { z } from 'zod';
import type { Role } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';
import type { RelayDatabase } from './relay-db';
import type { Agent, AgentAccess, AgentRecord, ChangedBy, NewAgentOptions } from './relay-store';
import { parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import { MAIN_TEAM } from './migration-3-teams';
import type { SqliteAudit } from './sqlite-audit';
import type { SqliteMemberships } from './sqlite-memberships';
import type { SqliteOwnership } from './sqlite-ownership';
import type { SqliteTeams } from './sqlite-teams';
import { AgentRow, toAgentRecord } from './sqlite-rows';
import { revokeAgentSessions } from './sqlite-sessions';

const ActiveAgent = z.object({ id: z.string().min(1), name: z.string() });
const DeviceVersion = z.object({ access_version: z.number().int().nullable() });

export class SqliteAgents {
  constructor(
    private readonly db: RelayDatabase,
    private readonly memberships: SqliteMemberships,
    private readonly teams: SqliteTeams,
    private readonly ownership: SqliteOwnership,
    private readonly audit: SqliteAudit,
  ) {}

  add(id: string, name: string, tokenHash: string, now: number, options: NewAgentOptions = {}): Result<AgentRecord> {
    const teamIds = [...new Set(options.teams ?? [MAIN_TEAM.id])];
    const role = options.role ?? 'agent';
    return this.db.transaction((): Result<AgentRecord> => {
      const unknown = this.teams.firstUnknown(teamIds);
      if (unknown !== undefined) return fail('not_found', `there is no team ${unknown}`);
      if (this.db.prepare('SELECT 1 FROM agents WHERE id = ?').get(id) !== undefined) return fail('conflict', `agent ${id} already exists`);
      this.db.prepare('INSERT INTO agents (id, name, token_hash, created_at, role) VALUES (?, ?, ?, ?, ?)').run(id, name, tokenHash, now, role);
      this.memberships.setTeams(id, teamIds);
      this.audit.appendChange('agent.add', id, options.by, now, { role, teams: teamIds.join(',') });
      return ok(this.record(id));
    })();
  }

  /**
   * Creates or re-keys an agent without an audit entry (tests, and the sandbox's demo agents): a new one joins
   * `teams` (default main) with `role`; an existing one keeps its teams and role.
   */
  setToken(id: string, name: string, tokenHash: string, now: number, teams: readonly string[] = [MAIN_TEAM.id], role: Role = 'agent'): void {
    this.db.transaction(() => {
      const created =
        this.db
          .prepare('INSERT INTO agents (id, name, token_hash, created_at, role) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING')
          .run(id, name, tokenHash, now, role).changes > 0;
      if (created) {
        this.memberships.setTeams(id, teams);
        return;
      }
      const changed = this.db
        .prepare('UPDATE agents SET token_hash = ?, revoked_at = NULL WHERE id = ? AND (token_hash <> ? OR revoked_at IS NOT NULL)')
        .run(tokenHash, id, tokenHash).changes;
      if (changed > 0) this.memberships.bump(id);
    })();
  }

  list(): AgentRecord[] {
    return parseRows('agents', AgentRow, this.db.prepare(`${AGENT_SELECT} ORDER BY a.id`).all()).map(toAgentRecord);
  }

  private record(id: string): AgentRecord {
    const row = parseRowIfAny('agents', AgentRow, this.db.prepare(`${AGENT_SELECT} WHERE a.id = ?`).get(id));
    if (row === undefined) throw new Error(`agent ${id} vanished inside its own transaction`);
    return toAgentRecord(row);
  }

  revoke(id: string, now: number, by: ChangedBy | undefined): Result<{ released: readonly string[] }> {
    return this.db.transaction((): Result<{ released: readonly string[] }> => {
      if (this.db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes === 0) {
        return fail('not_found', `there is no active agent ${id}`);
      }
      this.memberships.bump(id);
      revokeAgentSessions(this.db, id, 'agent_revoked', now);
      const released = this.ownership.releaseAll(id, now, null, 'revoked', by);
      this.audit.appendChange('agent.revoke', id, by, now, { released: released.length });
      return ok({ released });
    })();
  }

  rotate(id: string, tokenHash: string, now: number, by: ChangedBy | undefined): Result<AgentAccess> {
    return this.db.transaction((): Result<AgentAccess> => {
      if (this.db.prepare('UPDATE agents SET token_hash = ?, revoked_at = NULL WHERE id = ?').run(tokenHash, id).changes === 0) {
        return fail('not_found', `there is no agent ${id}`);
      }
      this.memberships.bump(id);
      // A new token means the old one may have leaked: what was signed in with it (or after it) signs in again.
      revokeAgentSessions(this.db, id, 'agent_rotated', now);
      this.audit.appendChange('agent.rotate', id, by, now);
      return ok(this.memberships.access(id)!);
    })();
  }

  /** New teams and/or role; what the agent can no longer work (teams left; everything for an admin) returns to its team. */
  setAccess(id: string, change: { teams?: readonly string[]; role?: Role }, now: number, by: ChangedBy | undefined): Result<AgentAccess> {
    return this.db.transaction((): Result<AgentAccess> => {
      const before = this.memberships.access(id);
      if (before === null) return fail('not_found', `there is no agent ${id}`);
      const unknown = change.teams === undefined ? undefined : this.teams.firstUnknown(change.teams);
      if (unknown !== undefined) return fail('not_found', `there is no team ${unknown}`);
      const teamsChanged = change.teams !== undefined && this.memberships.setTeams(id, change.teams);
      const roleChanged = change.role !== undefined && change.role !== before.role;
      if (roleChanged) this.db.prepare('UPDATE agents SET role = ? WHERE id = ?').run(change.role, id);
      if (!teamsChanged && !roleChanged) return ok(before);
      this.memberships.bump(id);
      const after = this.memberships.access(id)!;
      const keep = after.role === 'admin' ? [] : after.teams.map((t) => t.id);
      const released = this.ownership.releaseAll(id, now, keep, 'access changed', by);
      this.audit.appendChange('agent.change', id, by, now, {
        role: after.role,
        teams: after.teams.map((t) => t.id).join(','),
        previousRole: before.role,
        previousTeams: before.teams.map((t) => t.id).join(','),
        released: released.length,
      });
      return ok(after);
    })();
  }

  findByTokenHash(tokenHash: string): Agent | null {
    return (
      parseRowIfAny('agents', ActiveAgent, this.db.prepare('SELECT id, name FROM agents WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash)) ?? null
    );
  }

  isActive(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM agents WHERE id = ? AND revoked_at IS NULL').get(id) !== undefined;
  }

  recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): void {
    this.db
      .prepare(
        `INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (agent_id, device_id) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq), last_seen_at = excluded.last_seen_at`,
      )
      .run(agentId, deviceId, seq, now);
  }

  deviceAccessVersion(agentId: string, deviceId: string): number | null {
    const row = this.db.prepare('SELECT access_version FROM devices WHERE agent_id = ? AND device_id = ?').get(agentId, deviceId);
    return parseRowIfAny('devices', DeviceVersion, row)?.access_version ?? null;
  }

  recordDeviceAccess(agentId: string, deviceId: string, accessVersion: number, now: number): void {
    this.db
      .prepare(
        `INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at, access_version) VALUES (?, ?, 0, ?, ?)
         ON CONFLICT (agent_id, device_id) DO UPDATE SET access_version = excluded.access_version, last_seen_at = excluded.last_seen_at`,
      )
      .run(agentId, deviceId, now, accessVersion);
  }
}

const AGENT_SELECT = `SELECT a.id, a.name, a.created_at, a.revoked_at, a.role, a.access_version,
  (SELECT group_concat(team_id) FROM agent_teams WHERE agent_id = a.id) AS team_ids FROM agents a`;
