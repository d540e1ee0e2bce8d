// The one seam between the relay's records and a database: SQL with `?` placeholders, serialized write transactions,
// and the few phrases the two dialects spell differently. SQLite (one machine) and PostgreSQL (several) stand behind it.

/** What a statement may be given. Booleans are stored as 0/1 in both databases (no boolean columns). */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

export interface SqlRun {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/** The phrases written differently in SQLite and PostgreSQL; everything else is the SQL both accept. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * A subquery yielding the strings of one JSON-array parameter: `WHERE id IN ${d.jsonList}` with
   * `JSON.stringify(ids)`, so a list of any length is one parameter and one prepared statement.
   */
  readonly jsonList: string;
  /** The values of `expr` in a group, joined with commas (`group_concat` / `string_agg`). */
  stringAgg(expr: string): string;
  /** Field `field` of a JSON text column as text, or NULL when the column does not hold a JSON object (old rows). */
  jsonText(column: string, field: string): string;
}

/**
 * A database the relay's records are kept in. Both engines also provide `greatest(a, b, …)` and `least(…)` with
 * PostgreSQL's meaning (NULL arguments ignored), and accept `INSERT … ON CONFLICT … DO NOTHING/UPDATE` and `RETURNING`.
 */
export interface SqlDatabase {
  readonly dialect: SqlDialect;
  /** Every row of a query, as plain objects keyed by column name (parse them with `parseRow`, never cast). */
  all(sql: string, params?: readonly SqlValue[]): Promise<unknown[]>;
  /** The first row, or undefined when there is none. */
  get(sql: string, params?: readonly SqlValue[]): Promise<unknown>;
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRun>;
  /**
   * Runs `work` as one transaction, serialized with every other writing transaction on this database — in every
   * process using it — so that what `work` reads stays true until it commits, and the event log's seqs commit in
   * order (a reader of `seq > n` never sees 12 before 11 becomes visible). Statements issued while `work` runs join
   * it; a nested `transaction` joins the outer one. Throwing rolls everything back; a returned `fail(...)` does not,
   * so refuse before writing.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
