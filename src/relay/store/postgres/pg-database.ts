// The SqlDatabase port on PostgreSQL (node-postgres Pool), for several relay instances sharing one database.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { ErrorCode } from '../../../shared/errors';
import { silentLogger, type Logger } from '../../log';
import type { SqlDatabase, SqlDialect, SqlRun, SqlValue } from '../sql/sql-database';
import { PgListener, type ListenHandlers } from './pg-listener';
import { PgNumberLocks } from './pg-number-locks';
import { numberPlaceholders } from './pg-placeholders';
import { redactDatabaseUrl, withoutPassword } from './pg-url';

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  jsonList: '(SELECT value FROM json_array_elements_text(?::json))',
  stringAgg: (expr) => `string_agg(CAST(${expr} AS TEXT), ',')`,
  // PostgreSQL 15 has no `IS JSON`: the relay schema's function answers NULL for text that is not a JSON object.
  jsonText: (column, field) => `branchline_json_text(${column}, '${field}')`,
};

/**
 * The advisory lock every writing transaction of every relay instance takes first (pg_advisory_xact_lock, released at
 * COMMIT/ROLLBACK). Why one lock for all writers: an identity column hands out seqs when a row is inserted, not when
 * it commits, so two concurrent writers could commit seq 12 before seq 11; a device reading `seq > 10` would see 12,
 * move its cursor past 11, and never receive it. Serializing writers makes "seq order = commit order" true, which the
 * event log (and SQLite, with its single writer) relies on; it also keeps what a transaction read true until it commits.
 */
export const WRITER_LOCK_KEY = 0x42_72_4c_31; // "BrL1"

/** PostgreSQL cannot be reached or refused us: the relay cannot serve, but nothing was half-done. */
export class DatabaseUnavailableError extends Error {
  readonly code: ErrorCode = 'unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

const CONNECT_TIMEOUT_MS = 15_000;

const OID = { bool: 16, int8: 20, numeric: 1700 } as const;

/** bigint and numeric arrive as text: counts and ms timestamps become numbers, refused rather than rounded past 2^53. */
function exactNumber(text: string): number {
  const n = Number(text);
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n)) throw new RangeError(`the database returned ${text}, beyond the integers JavaScript holds exactly`);
  return n;
}

const TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === OID.int8 || oid === OID.numeric) return exactNumber;
    if (oid === OID.bool) return (text: string) => (text === 't' ? 1 : 0);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};

type Bound = string | number | null | Buffer;

/** Statements that cannot write (`SELECT pg_notify` included: a notification outside a transaction needs no turn). */
const READ_ONLY = /^\s*(SELECT|VALUES|SHOW|EXPLAIN)\b/i;

function bind(params: readonly SqlValue[]): Bound[] {
  return params.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (typeof p === 'bigint') return p.toString();
    if (p instanceof Uint8Array) return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    return p;
  });
}

/** Errors that say the server is unreachable, gone or refusing us, rather than that a statement was wrong. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  return (
    /^(08|57P|28|3D000)/.test(code) ||
    /^E(CONN|NOTFOUND|AI_AGAIN|TIMEDOUT|HOSTUNREACH|NETUNREACH|PIPE)/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  );
}

export interface PgDatabaseOptions {
  /** postgres:// or postgresql:// (user, password, host, port, database, ?sslmode=…). */
  readonly url: string;
  readonly log?: Logger;
  /** Connections the pool may open (default 10); LISTEN uses one more of its own. */
  readonly maxConnections?: number;
}

export class PgDatabase implements SqlDatabase {
  readonly dialect = POSTGRES_DIALECT;
  /** The URL without its password: what logs, errors and banners may show. */
  readonly where: string;
  private readonly pool: pg.Pool;
  private readonly listener: PgListener;
  private readonly clientConfig: pg.ClientConfig;
  /**
   * The open transaction's connection, for statements issued inside its work. Emptied when it ends: work may start
   * something (a timer, a wake-up) that queries later, in the same async context, after the connection went back to
   * the pool and perhaps into another caller's transaction.
   */
  private readonly current = new AsyncLocalStorage<{ client: pg.PoolClient | null }>();

  /** Opens a pool and checks the server answers; throws DatabaseUnavailableError with a clear, password-free message. */
  static async open(options: PgDatabaseOptions): Promise<PgDatabase> {
    const db = new PgDatabase(options);
    try {
      await db.get('SELECT 1 AS ok');
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return db;
  }

  private constructor(private readonly options: PgDatabaseOptions) {
    const log = options.log ?? silentLogger;
    this.where = redactDatabaseUrl(options.url);
    const config: pg.PoolConfig = {
      connectionString: options.url,
      types: TYPES,
      application_name: 'branchline-relay',
      keepAlive: true,
      // A server that never answers (a dropped route) fails a connect after this rather than the OS's minutes.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    };
    this.pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
    // An idle pooled connection the server dropped (a restart) reports here; the pool replaces it on the next query.
    this.pool.on('error', (error) => log.warn('db.pool.connection_lost', { reason: this.describe(error) }));
    this.listener = new PgListener(config, log, (error) => this.describe(error));
    this.clientConfig = config;
  }

  /** A statement that may write (`INSERT … RETURNING` through get/all too) outside a transaction takes the writers' lock. */
  async all(sql: string, params: readonly SqlValue[] = []): Promise<unknown[]> {
    if (this.inTransaction() === null && !READ_ONLY.test(sql)) return this.transaction(() => this.all(sql, params));
    return (await this.query(sql, params)).rows;
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<unknown> {
    return (await this.all(sql, params))[0];
  }

  /** A write outside a transaction still takes the writers' lock (it may append to the event log). */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlRun> {
    if (this.inTransaction() === null) return this.transaction(() => this.run(sql, params));
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction() !== null) return work();
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK_KEY]);
      const held: { client: pg.PoolClient | null } = { client };
      const result = await this.current.run(held, work).finally(() => (held.client = null));
      const done = await client.query('COMMIT');
      // PostgreSQL answers COMMIT of a transaction a failed statement aborted with ROLLBACK, not an error.
      if (done.command === 'ROLLBACK') throw new Error('the transaction was rolled back: a statement in it failed (and the failure was caught)');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error('rollback failed')));
      throw this.surface(error);
    } finally {
      // A connection that could not roll back is destroyed rather than handed to the next caller.
      client.release(broken ?? false);
    }
  }

  /**
   * Sends `payload` (at most about 8000 bytes) to every connection listening on `channel`, in any instance. Inside a
   * transaction it is delivered when that transaction commits, and not at all if it rolls back.
   */
  async notify(channel: string, payload: string): Promise<void> {
    await this.query('SELECT pg_notify(?, ?)', [channel, payload]);
  }

  /**
   * Calls `handlers.onNotify` for each notification on `channel`, on a connection of its own that reconnects after a
   * server restart (logged as db.listen.lost / db.listen.reconnected) and then calls `handlers.onGap`. Returns a
   * function that stops listening.
   */
  async listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
    return this.listener.listen(channel, handlers);
  }

  /** Per-number send locks on a connection of their own (send-leadership.ts); closing them releases every one. */
  numberLocks(log: Logger): PgNumberLocks {
    return new PgNumberLocks(this.clientConfig, log, (error) => this.describe(error));
  }

  /** Runs SQL with no parameters, several statements allowed (migrations). Joins the open transaction, if any. */
  async exec(sql: string): Promise<void> {
    const client = this.inTransaction();
    try {
      await (client ?? this.pool).query(sql);
    } catch (error) {
      throw this.surface(error);
    }
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.pool.end();
  }

  private async query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    const { text, count } = numberPlaceholders(sql);
    if (count !== params.length) throw new Error(`the statement has ${count} placeholders but ${params.length} values were given`);
    const client = this.inTransaction();
    try {
      return await (client ?? this.pool).query(text, bind(params));
    } catch (error) {
      throw this.surface(error);
    }
  }

  private inTransaction(): pg.PoolClient | null {
    return this.current.getStore()?.client ?? null;
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw this.surface(error);
    }
  }

  /** A connection failure as a DatabaseUnavailableError naming the server (no password); other errors unchanged. */
  private surface(error: unknown): unknown {
    if (error instanceof DatabaseUnavailableError || !isConnectionError(error)) return error;
    return new DatabaseUnavailableError(`PostgreSQL at ${this.where} cannot be used: ${this.describe(error)}`);
  }

  private describe(error: unknown): string {
    let text = error instanceof Error ? error.message : String(error);
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
    // Node reports a refused connection to several addresses as an AggregateError with an empty message.
    if (text === '' && error instanceof AggregateError) text = error.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
    if (text === '') text = code === '' ? 'unknown error' : code;
    return withoutPassword(code !== '' && !text.includes(code) ? `${text} (${code})` : text, this.options.url);
  }
}
