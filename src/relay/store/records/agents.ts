// Agents and their devices: tokens stored only as hashes, teams and roles, revocation and rotation (each bumping
// access_version so live sessions close), each device's last ack and access version.
import { z } from 'zod';
import type { Role } from '../../../shared/domain';
import { fail, ok, type Result } from '../../../shared/errors';
import type { SqlDatabase } from '../sql/sql-database';
import type { Agent, AgentAccess, AgentRecord, ChangedBy, NewAgentOptions } from '../relay-store';
import { parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import { MAIN_TEAM } from '../migration-3-teams';
import type { AuditRecords } from './audit';
import type { MembershipRecords } from './memberships';
import type { OwnershipRecords } from './ownership';
import type { TeamRecords } from './teams';
import { AgentRow, toAgentRecord } from './rows';
import { revokeAgentSessions } from './sessions';

const ActiveAgent = z.object({ id: z.string().min(1), name: z.string() });
const DeviceVersion = z.object({ access_version: z.number().int().nullable() });

export class AgentRecords {
  private readonly agentSelect: string;

  constructor(
    private readonly db: SqlDatabase,
    private readonly memberships: MembershipRecords,
    private readonly teams: TeamRecords,
    private readonly ownership: OwnershipRecords,
    private readonly audit: AuditRecords,
  ) {
    this.agentSelect = `SELECT a.id, a.name, a.created_at, a.revoked_at, a.role, a.access_version,
      (SELECT ${db.dialect.stringAgg('team_id')} FROM agent_teams WHERE agent_id = a.id) AS team_ids FROM agents a`;
  }

  async add(id: string, name: string, tokenHash: string, now: number, options: NewAgentOptions = {}): Promise<Result<AgentRecord>> {
    const teamIds = [...new Set(options.teams ?? [MAIN_TEAM.id])];
    const role = options.role ?? 'agent';
    return this.db.transaction(async (): Promise<Result<AgentRecord>> => {
      const unknown = await this.teams.firstUnknown(teamIds);
      if (unknown !== undefined) return fail('not_found', `there is no team ${unknown}`);
      if ((await this.db.get('SELECT 1 AS one FROM agents WHERE id = ?', [id])) !== undefined) return fail('conflict', `agent ${id} already exists`);
      await this.db.run('INSERT INTO agents (id, name, token_hash, created_at, role) VALUES (?, ?, ?, ?, ?)', [id, name, tokenHash, now, role]);
      await this.memberships.setTeams(id, teamIds);
      await this.audit.appendChange('agent.add', id, options.by, now, { role, teams: teamIds.join(',') });
      return ok(await this.record(id));
    });
  }

  /**
   * Creates or re-keys an agent without an audit entry (tests, and the sandbox's demo agents): a new one joins
   * `teams` (default main) with `role`; an existing one keeps its teams and role.
   */
  async setToken(id: string, name: string, tokenHash: string, now: number, teams: readonly string[] = [MAIN_TEAM.id], role: Role = 'agent'): Promise<void> {
    await this.db.transaction(async () => {
      const inserted = await this.db.run('INSERT INTO agents (id, name, token_hash, created_at, role) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
        id,
        name,
        tokenHash,
        now,
        role,
      ]);
      if (inserted.changes > 0) {
        await this.memberships.setTeams(id, teams);
        return;
      }
      const changed = await this.db.run('UPDATE agents SET token_hash = ?, revoked_at = NULL WHERE id = ? AND (token_hash <> ? OR revoked_at IS NOT NULL)', [
        tokenHash,
        id,
        tokenHash,
      ]);
      if (changed.changes > 0) await this.memberships.bump(id);
    });
  }

  async list(): Promise<AgentRecord[]> {
    return parseRows('agents', AgentRow, await this.db.all(`${this.agentSelect} ORDER BY a.id`)).map(toAgentRecord);
  }

  private async record(id: string): Promise<AgentRecord> {
    const row = parseRowIfAny('agents', AgentRow, await this.db.get(`${this.agentSelect} WHERE a.id = ?`, [id]));
    if (row === undefined) throw new Error(`agent ${id} vanished inside its own transaction`);
    return toAgentRecord(row);
  }

  async revoke(id: string, now: number, by: ChangedBy | undefined): Promise<Result<{ released: readonly string[] }>> {
    return this.db.transaction(async (): Promise<Result<{ released: readonly string[] }>> => {
      if ((await this.db.run('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id])).changes === 0) {
        return fail('not_found', `there is no active agent ${id}`);
      }
      await this.memberships.bump(id);
      await revokeAgentSessions(this.db, id, 'agent_revoked', now);
      const released = await this.ownership.releaseAll(id, now, null, 'revoked', by);
      await this.audit.appendChange('agent.revoke', id, by, now, { released: released.length });
      return ok({ released });
    });
  }

  async rotate(id: string, tokenHash: string, now: number, by: ChangedBy | undefined): Promise<Result<AgentAccess>> {
    return this.db.transaction(async (): Promise<Result<AgentAccess>> => {
      if ((await this.db.run('UPDATE agents SET token_hash = ?, revoked_at = NULL WHERE id = ?', [tokenHash, id])).changes === 0) {
        return fail('not_found', `there is no agent ${id}`);
      }
      await this.memberships.bump(id);
      // A new token means the old one may have leaked: what was signed in with it (or after it) signs in again.
      await revokeAgentSessions(this.db, id, 'agent_rotated', now);
      await this.audit.appendChange('agent.rotate', id, by, now);
      return ok((await this.memberships.access(id))!);
    });
  }

  /** New teams and/or role; what the agent can no longer work (teams left; everything for an admin) returns to its team. */
  async setAccess(id: string, change: { teams?: readonly string[]; role?: Role }, now: number, by: ChangedBy | undefined): Promise<Result<AgentAccess>> {
    return this.db.transaction(async (): Promise<Result<AgentAccess>> => {
      const before = await this.memberships.access(id);
      if (before === null) return fail('not_found', `there is no agent ${id}`);
      const unknown = change.teams === undefined ? undefined : await this.teams.firstUnknown(change.teams);
      if (unknown !== undefined) return fail('not_found', `there is no team ${unknown}`);
      const teamsChanged = change.teams !== undefined && (await this.memberships.setTeams(id, change.teams));
      const role = change.role;
      const roleChanged = role !== undefined && role !== before.role;
      if (roleChanged) await this.db.run('UPDATE agents SET role = ? WHERE id = ?', [role, id]);
      if (!teamsChanged && !roleChanged) return ok(before);
      await this.memberships.bump(id);
      const after = (await this.memberships.access(id))!;
      const keep = after.role === 'admin' ? [] : after.teams.map((t) => t.id);
      const released = await this.ownership.releaseAll(id, now, keep, 'access changed', by);
      await this.audit.appendChange('agent.change', id, by, now, {
        role: after.role,
        teams: after.teams.map((t) => t.id).join(','),
        previousRole: before.role,
        previousTeams: before.teams.map((t) => t.id).join(','),
        released: released.length,
      });
      return ok(after);
    });
  }

  async findByTokenHash(tokenHash: string): Promise<Agent | null> {
    const row = await this.db.get('SELECT id, name FROM agents WHERE token_hash = ? AND revoked_at IS NULL', [tokenHash]);
    return parseRowIfAny('agents', ActiveAgent, row) ?? null;
  }

  async isActive(id: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS one FROM agents WHERE id = ? AND revoked_at IS NULL', [id])) !== undefined;
  }

  async recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (agent_id, device_id) DO UPDATE SET acked_seq = greatest(devices.acked_seq, excluded.acked_seq), last_seen_at = excluded.last_seen_at`,
      [agentId, deviceId, seq, now],
    );
  }

  async deviceAccessVersion(agentId: string, deviceId: string): Promise<number | null> {
    const row = await this.db.get('SELECT access_version FROM devices WHERE agent_id = ? AND device_id = ?', [agentId, deviceId]);
    return parseRowIfAny('devices', DeviceVersion, row)?.access_version ?? null;
  }

  async recordDeviceAccess(agentId: string, deviceId: string, accessVersion: number, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at, access_version) VALUES (?, ?, 0, ?, ?)
       ON CONFLICT (agent_id, device_id) DO UPDATE SET access_version = excluded.access_version, last_seen_at = excluded.last_seen_at`,
      [agentId, deviceId, now, accessVersion],
    );
  }
}
