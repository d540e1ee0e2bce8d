// Teams and our business numbers on SQLite: which team answers which number, each change audited.
import { z } from 'zod';
import type { TeamRef } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';
import { parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import type { ChangedBy, NumberRecord, TeamRecord } from './access-types';
import type { RelayDatabase } from './relay-db';
import type { SqliteAudit } from './sqlite-audit';

const TeamRow = z.object({ id: z.string().min(1), name: z.string(), created_at: z.number().int() });
const NumberRow = z.object({ phone_number_id: z.string().min(1), team_id: z.string().min(1), display: z.string().nullable(), created_at: z.number().int() });
const TeamOfNumber = z.object({ team_id: z.string().min(1) });

export class SqliteTeams {
  private readonly teamStmt;
  private readonly teamOfNumberStmt;

  constructor(
    private readonly db: RelayDatabase,
    private readonly audit: SqliteAudit,
  ) {
    this.teamStmt = db.prepare<[string]>('SELECT id, name, created_at FROM teams WHERE id = ?');
    this.teamOfNumberStmt = db.prepare<[string]>('SELECT team_id FROM numbers WHERE phone_number_id = ?');
  }

  team(id: string): TeamRef | undefined {
    const row = parseRowIfAny('teams', TeamRow, this.teamStmt.get(id));
    return row === undefined ? undefined : { id: row.id, name: row.name };
  }

  /** The first of these ids that names no team, if any: a command naming one changes nothing. */
  firstUnknown(ids: readonly string[]): string | undefined {
    return ids.find((id) => this.team(id) === undefined);
  }

  add(id: string, name: string, now: number, by: ChangedBy | undefined): Result<TeamRecord> {
    return this.db.transaction((): Result<TeamRecord> => {
      if (this.team(id) !== undefined) return fail('conflict', `team ${id} already exists`);
      this.db.prepare('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)').run(id, name, now);
      this.audit.appendChange('team.add', id, by, now, { name });
      return ok({ id, name, createdAt: now });
    })();
  }

  list(): TeamRecord[] {
    return parseRows('teams', TeamRow, this.db.prepare('SELECT id, name, created_at FROM teams ORDER BY id').all()).map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
    }));
  }

  addNumber(number: { phoneNumberId: string; teamId: string; display: string | null }, now: number, by: ChangedBy | undefined): Result<NumberRecord> {
    return this.db.transaction((): Result<NumberRecord> => {
      if (this.team(number.teamId) === undefined) return fail('not_found', `there is no team ${number.teamId}`);
      const known = this.teamOfNumber(number.phoneNumberId);
      if (known !== null) return fail('conflict', `number ${number.phoneNumberId} is already served, by team ${known}`);
      this.db
        .prepare('INSERT INTO numbers (phone_number_id, team_id, display, created_at) VALUES (?, ?, ?, ?)')
        .run(number.phoneNumberId, number.teamId, number.display, now);
      // The display number is ours, but the audit keeps no phone number in clear: the Meta id says which one it was.
      this.audit.appendChange('number.add', number.phoneNumberId, by, now, { teamId: number.teamId });
      return ok({ ...number, createdAt: now });
    })();
  }

  listNumbers(): NumberRecord[] {
    const rows = parseRows('numbers', NumberRow, this.db.prepare('SELECT * FROM numbers ORDER BY team_id, phone_number_id').all());
    return rows.map((r) => ({ phoneNumberId: r.phone_number_id, teamId: r.team_id, display: r.display, createdAt: r.created_at }));
  }

  teamOfNumber(phoneNumberId: string): string | null {
    return parseRowIfAny('numbers', TeamOfNumber, this.teamOfNumberStmt.get(phoneNumberId))?.team_id ?? null;
  }

  served(): ReadonlySet<string> {
    return new Set(this.listNumbers().map((n) => n.phoneNumberId));
  }
}
