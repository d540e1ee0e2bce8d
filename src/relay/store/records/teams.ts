// Teams and our business numbers: which team answers which number, each change audited.
import { z } from 'zod';
import type { TeamRef } from '../../../shared/domain';
import { fail, ok, type Result } from '../../../shared/errors';
import { parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import type { ChangedBy, NumberRecord, TeamRecord } from '../access-types';
import type { SqlDatabase } from '../sql/sql-database';
import type { AuditRecords } from './audit';

const TeamRow = z.object({ id: z.string().min(1), name: z.string(), created_at: z.number().int() });
const NumberRow = z.object({ phone_number_id: z.string().min(1), team_id: z.string().min(1), display: z.string().nullable(), created_at: z.number().int() });
const TeamOfNumber = z.object({ team_id: z.string().min(1) });

export class TeamRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly audit: AuditRecords,
  ) {}

  async team(id: string): Promise<TeamRef | undefined> {
    const row = parseRowIfAny('teams', TeamRow, await this.db.get('SELECT id, name, created_at FROM teams WHERE id = ?', [id]));
    return row === undefined ? undefined : { id: row.id, name: row.name };
  }

  /** The first of these ids that names no team, if any: a command naming one changes nothing. */
  async firstUnknown(ids: readonly string[]): Promise<string | undefined> {
    for (const id of ids) if ((await this.team(id)) === undefined) return id;
    return undefined;
  }

  async add(id: string, name: string, now: number, by: ChangedBy | undefined): Promise<Result<TeamRecord>> {
    return this.db.transaction(async (): Promise<Result<TeamRecord>> => {
      if ((await this.team(id)) !== undefined) return fail('conflict', `team ${id} already exists`);
      await this.db.run('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)', [id, name, now]);
      await this.audit.appendChange('team.add', id, by, now, { name });
      return ok({ id, name, createdAt: now });
    });
  }

  async list(): Promise<TeamRecord[]> {
    return parseRows('teams', TeamRow, await this.db.all('SELECT id, name, created_at FROM teams ORDER BY id')).map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
    }));
  }

  async addNumber(
    number: { phoneNumberId: string; teamId: string; display: string | null },
    now: number,
    by: ChangedBy | undefined,
  ): Promise<Result<NumberRecord>> {
    return this.db.transaction(async (): Promise<Result<NumberRecord>> => {
      if ((await this.team(number.teamId)) === undefined) return fail('not_found', `there is no team ${number.teamId}`);
      const known = await this.teamOfNumber(number.phoneNumberId);
      if (known !== null) return fail('conflict', `number ${number.phoneNumberId} is already served, by team ${known}`);
      await this.db.run('INSERT INTO numbers (phone_number_id, team_id, display, created_at) VALUES (?, ?, ?, ?)', [
        number.phoneNumberId,
        number.teamId,
        number.display,
        now,
      ]);
      // The display number is ours, but the audit keeps no phone number in clear: the Meta id says which one it was.
      await this.audit.appendChange('number.add', number.phoneNumberId, by, now, { teamId: number.teamId });
      return ok({ ...number, createdAt: now });
    });
  }

  async listNumbers(): Promise<NumberRecord[]> {
    const rows = parseRows('numbers', NumberRow, await this.db.all('SELECT * FROM numbers ORDER BY team_id, phone_number_id'));
    return rows.map((r) => ({ phoneNumberId: r.phone_number_id, teamId: r.team_id, display: r.display, createdAt: r.created_at }));
  }

  async teamOfNumber(phoneNumberId: string): Promise<string | null> {
    return parseRowIfAny('numbers', TeamOfNumber, await this.db.get('SELECT team_id FROM numbers WHERE phone_number_id = ?', [phoneNumberId]))?.team_id ?? null;
  }

  async served(): Promise<ReadonlySet<string>> {
    return new Set((await this.listNumbers()).map((n) => n.phoneNumberId));
  }
}
