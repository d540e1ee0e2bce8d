// The SqlDatabase port on better-sqlite3: statements prepared once, one transaction at a time on the connection.
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { SqlDatabase, SqlDialect, SqlRun, SqlValue } from './sql-database';

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  jsonList: '(SELECT value FROM json_each(?))',
  stringAgg: (expr) => `group_concat(${expr})`,
  jsonText: (column, field) => `CASE WHEN json_valid(${column}) THEN json_extract(${column}, '$.${field}') END`,
};

type Bound = string | number | bigint | null | Uint8Array;

/**
 * better-sqlite3 is synchronous, but a transaction written against the async port awaits between its statements, and
 * any other caller's statement could run on the same connection in those gaps — inside the open transaction. So a
 * statement outside the open transaction waits for it to end; one inside it (tracked with AsyncLocalStorage) runs at
 * once. Other processes on the same file are kept out by BEGIN IMMEDIATE and the busy timeout.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Database.Statement>();
  /** Marks statements issued inside the open transaction's work; `open` turns false at its end, for work it started. */
  private readonly current = new AsyncLocalStorage<{ open: boolean }>();
  /** Settles when the open transaction ends; null when none is open. */
  private held: Promise<void> | null = null;

  constructor(readonly raw: Database.Database) {
    // PostgreSQL's greatest/least (NULLs ignored), so both databases run the same SQL.
    const pick =
      (better: (a: number, b: number) => boolean) =>
      (...values: unknown[]) => {
        let best: unknown = null;
        for (const v of values) if (v !== null && (best === null || better(Number(v), Number(best)))) best = v;
        return best as number | null;
      };
    raw.function(
      'greatest',
      { deterministic: true, varargs: true },
      pick((a, b) => a > b),
    );
    raw.function(
      'least',
      { deterministic: true, varargs: true },
      pick((a, b) => a < b),
    );
  }

  async all(sql: string, params: readonly SqlValue[] = []): Promise<unknown[]> {
    await this.turn();
    return this.statement(sql).all(...bind(params));
  }

  async get(sql: string, params: readonly SqlValue[] = []): Promise<unknown> {
    await this.turn();
    return this.statement(sql).get(...bind(params));
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlRun> {
    await this.turn();
    return { changes: this.statement(sql).run(...bind(params)).changes };
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.current.getStore()?.open === true) return work();
    while (this.held !== null) await this.held;
    let release = () => {};
    this.held = new Promise<void>((resolve) => (release = resolve));
    try {
      this.raw.exec('BEGIN IMMEDIATE');
      try {
        const tx = { open: true };
        const result = await this.current.run(tx, work).finally(() => (tx.open = false));
        this.raw.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.held = null;
      release();
    }
  }

  async close(): Promise<void> {
    while (this.held !== null) await this.held;
    this.raw.close();
  }

  private async turn(): Promise<void> {
    if (this.current.getStore()?.open === true) return;
    while (this.held !== null) await this.held;
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.raw.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

function bind(params: readonly SqlValue[]): Bound[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
