// Who is in which team with which role, and the access_version live sessions watch.
import { z } from 'zod';
import { Role, type TeamRef } from '../../../shared/domain';
import { parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import type { AgentAccess, Directory } from '../access-types';
import type { SqlDatabase } from '../sql/sql-database';

const AccessRow = z.object({
  id: z.string().min(1),
  name: z.string(),
  role: Role,
  access_version: z.number().int(),
  revoked_at: z.number().int().nullable(),
});
const TeamRow = z.object({ id: z.string().min(1), name: z.string() });
const VersionRow = z.object({ id: z.string().min(1), access_version: z.number().int() });
const ColleagueRow = z.object({ id: z.string().min(1), name: z.string(), role: Role, team_id: z.string().min(1) });

export class MembershipRecords {
  constructor(private readonly db: SqlDatabase) {}

  async access(agentId: string): Promise<AgentAccess | null> {
    const row = parseRowIfAny('agents', AccessRow, await this.db.get('SELECT id, name, role, access_version, revoked_at FROM agents WHERE id = ?', [agentId]));
    if (row === undefined) return null;
    return { id: row.id, name: row.name, role: row.role, teams: await this.teams(agentId), accessVersion: row.access_version, revokedAt: row.revoked_at };
  }

  async teams(agentId: string): Promise<TeamRef[]> {
    const rows = await this.db.all('SELECT t.id, t.name FROM agent_teams m JOIN teams t ON t.id = m.team_id WHERE m.agent_id = ? ORDER BY t.name, t.id', [
      agentId,
    ]);
    return parseRows('agent_teams', TeamRow, rows);
  }

  async versions(agentIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    if (agentIds.length === 0) return new Map();
    const rows = await this.db.all(`SELECT id, access_version FROM agents WHERE id IN ${this.db.dialect.jsonList}`, [JSON.stringify([...agentIds])]);
    return new Map(parseRows('agents', VersionRow, rows).map((r) => [r.id, r.access_version]));
  }

  /** Live sessions of this agent see the change and close; their next hello resyncs. */
  async bump(agentId: string): Promise<void> {
    await this.db.run('UPDATE agents SET access_version = access_version + 1 WHERE id = ?', [agentId]);
  }

  /** Replaces the agent's teams (inside the caller's transaction); returns whether they changed. */
  async setTeams(agentId: string, teamIds: readonly string[]): Promise<boolean> {
    const before = (await this.teams(agentId)).map((t) => t.id).sort();
    const after = [...new Set(teamIds)].sort();
    if (before.join(',') === after.join(',')) return false;
    await this.db.run('DELETE FROM agent_teams WHERE agent_id = ?', [agentId]);
    for (const teamId of after) await this.db.run('INSERT INTO agent_teams (agent_id, team_id) VALUES (?, ?)', [agentId, teamId]);
    return true;
  }

  /** Me, the active colleagues in my teams with the teams we share, and every team; null for an unknown or revoked agent. */
  async directory(agentId: string): Promise<Directory | null> {
    return this.db.transaction(async (): Promise<Directory | null> => {
      const me = await this.access(agentId);
      if (me === null || me.revokedAt !== null) return null;
      const rows = await this.db.all(
        `SELECT a.id, a.name, a.role, m.team_id FROM agent_teams m JOIN agents a ON a.id = m.agent_id
         WHERE a.revoked_at IS NULL AND m.team_id IN (SELECT team_id FROM agent_teams WHERE agent_id = ?) ORDER BY a.name, a.id, m.team_id`,
        [agentId],
      );
      const agents = new Map<string, { id: string; name: string; role: Role; teamIds: string[] }>();
      for (const row of parseRows('agent_teams', ColleagueRow, rows)) {
        const known = agents.get(row.id) ?? { id: row.id, name: row.name, role: row.role, teamIds: [] };
        known.teamIds.push(row.team_id);
        agents.set(row.id, known);
      }
      const teams = parseRows('teams', TeamRow, await this.db.all('SELECT id, name FROM teams ORDER BY name, id'));
      return { me: { id: me.id, name: me.name, role: me.role, teams: [...me.teams] }, agents: [...agents.values()], teams };
    });
  }
}
