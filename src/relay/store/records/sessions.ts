// Device sessions: sign-in, refresh with rotation (a spent refresh token presented again revokes its family
// and is audited in the same transaction, unless it retries a lost answer), lookup by token hash, revocation. Plain SQL.
import { z } from 'zod';
import { parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import type { AuditEntry } from '../access-types';
import type { SqlDatabase } from '../sql/sql-database';
import type { DeviceSessionRecord, IssuedToken, NewDeviceSession, RefreshOutcome, RefreshRequest, SessionTokenRecord } from '../session-types';
import type { AuditRecords } from './audit';

const SessionRow = z.object({
  family_id: z.string().min(1),
  agent_id: z.string().min(1),
  device_id: z.string().min(1),
  first_factor: z.enum(['token', 'oidc']),
  created_at: z.number().int(),
  expires_at: z.number().int(),
  access_expires_at: z.number().int(),
  revoked_at: z.number().int().nullable(),
  revoked_reason: z.string().nullable(),
});
const TokenRow = SessionRow.extend({
  kind: z.enum(['access', 'refresh']),
  token_expires_at: z.number().int(),
  spent_at: z.number().int().nullable(),
  used_at: z.number().int().nullable(),
  token_revoked_at: z.number().int().nullable(),
  agent_revoked_at: z.number().int().nullable(),
});
const SuccessorRow = z.object({
  kind: z.enum(['access', 'refresh']),
  issued_at: z.number().int(),
  spent_at: z.number().int().nullable(),
  used_at: z.number().int().nullable(),
});

const SESSION_COLUMNS = 's.family_id, s.agent_id, s.device_id, s.first_factor, s.created_at, s.expires_at, s.access_expires_at, s.revoked_at, s.revoked_reason';

export class SessionRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly audit: AuditRecords,
  ) {}

  /** A new sign-in: the family, its first access and refresh tokens, and the audit entry, together. */
  async create(session: NewDeviceSession, audit: AuditEntry): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(
        `INSERT INTO device_sessions (family_id, agent_id, device_id, first_factor, created_at, expires_at, access_expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [session.familyId, session.agentId, session.deviceId, session.firstFactor, session.createdAt, session.expiresAt, session.access.expiresAt],
      );
      await this.insertPair(session.familyId, session.createdAt, session.access, session.refresh, null);
      await this.audit.append(audit);
    });
  }

  /** The token with this hash and its session (the agent's revocation folded in); null when unknown. */
  async token(hash: string): Promise<SessionTokenRecord | null> {
    const row = await this.tokenRow(hash);
    if (row === undefined) return null;
    return {
      kind: row.kind,
      expiresAt: row.token_expires_at,
      spentAt: row.spent_at,
      usedAt: row.used_at,
      revokedAt: row.token_revoked_at,
      session: toRecord(row),
    };
  }

  /** Notes an access token's first use (a used successor rules out a retry); false when a retry has just revoked it. */
  async markUsed(hash: string, now: number): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE session_tokens SET used_at = coalesce(used_at, ?) WHERE token_hash = ? AND revoked_at IS NULL', [now, hash]);
    return changes > 0;
  }

  async refresh(request: RefreshRequest): Promise<RefreshOutcome> {
    return this.db.transaction(async (): Promise<RefreshOutcome> => {
      const row = await this.tokenRow(request.refreshHash);
      if (row === undefined || row.kind !== 'refresh') return { kind: 'refused', reason: 'unknown', session: null };
      const session = toRecord(row);
      if (row.spent_at !== null || row.token_revoked_at !== null) {
        if (await this.isRetry(row, request)) {
          // The answer to the first use was lost on the way back: its pair never arrived, so it is replaced, not feared.
          await this.db.run('UPDATE session_tokens SET revoked_at = ? WHERE replaces = ? AND revoked_at IS NULL', [request.now, request.refreshHash]);
          return this.rotate(session, request, 'retried');
        }
        // Two holders of one refresh token: the thief's or the owner's, nobody can tell, so the whole sign-in ends.
        await this.revokeFamily(session.familyId, 'refresh_reused', request.now);
        await this.audit.append({
          at: request.now,
          action: 'session.refresh_reused',
          actorId: session.agentId,
          subjectId: session.agentId,
          source: request.source,
          detail: { device: session.deviceId, family: session.familyId, firstFactor: session.firstFactor },
        });
        return { kind: 'reused', session: toRecord((await this.tokenRow(request.refreshHash))!) };
      }
      if (session.revokedAt !== null) return { kind: 'refused', reason: 'revoked', session };
      if (request.now >= session.expiresAt || request.now >= row.token_expires_at) return { kind: 'refused', reason: 'expired', session };
      if (session.deviceId !== request.deviceId) return { kind: 'refused', reason: 'wrong_device', session };
      await this.db.run('UPDATE session_tokens SET spent_at = ? WHERE token_hash = ?', [request.now, request.refreshHash]);
      return this.rotate(session, request, 'rotated');
    });
  }

  /** Ends a session (logout, an operator); false when it had already ended. The audit entry commits with it. */
  async revoke(familyId: string, reason: string, now: number, audit: AuditEntry | null): Promise<boolean> {
    return this.db.transaction(async () => {
      const changed = await this.revokeFamily(familyId, reason, now);
      if (changed && audit !== null) await this.audit.append(audit);
      return changed;
    });
  }

  /** These sessions as they are now (unknown ids left out), the agent's revocation folded in: what live sockets watch. */
  async states(familyIds: readonly string[]): Promise<ReadonlyMap<string, DeviceSessionRecord>> {
    if (familyIds.length === 0) return new Map();
    const raw = await this.db.all(
      `SELECT ${SESSION_COLUMNS.replace('s.revoked_at', 'coalesce(s.revoked_at, a.revoked_at) AS revoked_at')}
       FROM device_sessions s JOIN agents a ON a.id = s.agent_id WHERE s.family_id IN ${this.db.dialect.jsonList}`,
      [JSON.stringify(familyIds)],
    );
    const rows = parseRows('device_sessions', SessionRow, raw);
    return new Map(rows.map((row) => [row.family_id, toRecord(row)]));
  }

  /** Forgets the tokens of sessions that ended over a day ago (a spent refresh token matters only while its session could live). */
  async prune(now: number): Promise<number> {
    const ended = `SELECT family_id FROM device_sessions WHERE expires_at < ? OR revoked_at < ?`;
    const cutoff = now - DAY_MS;
    return this.db.transaction(async () => {
      const tokens = (await this.db.run(`DELETE FROM session_tokens WHERE family_id IN (${ended})`, [cutoff, cutoff])).changes;
      await this.db.run(`DELETE FROM device_sessions WHERE family_id IN (${ended})`, [cutoff, cutoff]);
      return tokens;
    });
  }

  /**
   * A spent refresh token presented again is the same device retrying a refresh whose answer it never got only within
   * the grace of the latest attempt and while that answer's pair is unused: its refresh token unspent and its access
   * token never presented (whoever presented it had the answer, so the answer was not lost). Anything else is a reuse.
   */
  private async isRetry(row: z.output<typeof TokenRow>, request: RefreshRequest): Promise<boolean> {
    if (row.token_revoked_at !== null || row.spent_at === null) return false;
    if (row.device_id !== request.deviceId || row.revoked_at !== null || row.agent_revoked_at !== null) return false;
    if (request.now >= row.expires_at || request.now >= row.token_expires_at) return false;
    const successors = parseRows(
      'session_tokens',
      SuccessorRow,
      await this.db.all('SELECT kind, issued_at, spent_at, used_at FROM session_tokens WHERE replaces = ? AND revoked_at IS NULL', [request.refreshHash]),
    );
    // The grace runs from the latest attempt, whose answer was lost too: a link that drops several in a row still recovers.
    const latest = Math.max(...successors.map((t) => t.issued_at));
    return successors.length > 0 && request.now - latest <= request.retryGraceMs && successors.every((t) => t.spent_at === null && t.used_at === null);
  }

  private async rotate(session: DeviceSessionRecord, request: RefreshRequest, kind: 'rotated' | 'retried'): Promise<RefreshOutcome> {
    await this.insertPair(session.familyId, request.now, request.access, request.refresh, request.refreshHash);
    await this.db.run('UPDATE device_sessions SET access_expires_at = ? WHERE family_id = ?', [request.access.expiresAt, session.familyId]);
    return { kind, session: { ...session, accessExpiresAt: request.access.expiresAt } };
  }

  private async tokenRow(hash: string): Promise<z.output<typeof TokenRow> | undefined> {
    const row = await this.db.get(
      `SELECT ${SESSION_COLUMNS}, t.kind, t.expires_at AS token_expires_at, t.spent_at, t.used_at,
         t.revoked_at AS token_revoked_at, a.revoked_at AS agent_revoked_at
       FROM session_tokens t JOIN device_sessions s ON s.family_id = t.family_id JOIN agents a ON a.id = s.agent_id
       WHERE t.token_hash = ?`,
      [hash],
    );
    return parseRowIfAny('session_tokens', TokenRow, row);
  }

  private async insertPair(familyId: string, now: number, access: IssuedToken, refresh: IssuedToken, replaces: string | null): Promise<void> {
    const insert = 'INSERT INTO session_tokens (token_hash, family_id, kind, issued_at, expires_at, replaces) VALUES (?, ?, ?, ?, ?, ?)';
    await this.db.run(insert, [access.hash, familyId, 'access', now, access.expiresAt, replaces]);
    await this.db.run(insert, [refresh.hash, familyId, 'refresh', now, refresh.expiresAt, replaces]);
  }

  private async revokeFamily(familyId: string, reason: string, now: number): Promise<boolean> {
    const sql = 'UPDATE device_sessions SET revoked_at = ?, revoked_reason = ? WHERE family_id = ? AND revoked_at IS NULL';
    return (await this.db.run(sql, [now, reason, familyId])).changes > 0;
  }
}

/** Revoking or re-keying an agent ends their device sessions (inside the caller's transaction). */
export async function revokeAgentSessions(db: SqlDatabase, agentId: string, reason: string, now: number): Promise<number> {
  const sql = 'UPDATE device_sessions SET revoked_at = ?, revoked_reason = ? WHERE agent_id = ? AND revoked_at IS NULL';
  return (await db.run(sql, [now, reason, agentId])).changes;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function toRecord(row: z.output<typeof SessionRow> & { agent_revoked_at?: number | null }): DeviceSessionRecord {
  const agentRevoked = row.agent_revoked_at ?? null;
  return {
    familyId: row.family_id,
    agentId: row.agent_id,
    deviceId: row.device_id,
    firstFactor: row.first_factor,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    accessExpiresAt: row.access_expires_at,
    revokedAt: row.revoked_at ?? agentRevoked,
    revokedReason: row.revoked_reason ?? (agentRevoked !== null ? 'agent_revoked' : null),
  };
}
