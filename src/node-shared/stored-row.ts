// Rows read back from SQLite, parsed (never cast): a row that does not fit is an error naming its table and column.
import { z } from 'zod';

/** A stored row that does not have the shape its table promises: a bug or a damaged file, never the caller's fault. */
export class StoredRowError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    detail: string,
  ) {
    super(`the database holds a bad row in ${table}: column ${column}: ${detail}`);
    this.name = 'StoredRowError';
  }
}

/**
 * Checks `row` against `schema`, naming the table and column of the first problem. The detail
 * comes from zod's issue, which describes the expectation and never echoes the stored value.
 */
export function parseRow<S extends z.ZodType>(table: string, schema: S, row: unknown): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [column, ...inside] = issue?.path ?? [];
  const where = inside.length === 0 ? '' : ` at ${inside.map(String).join('.')}`;
  throw new StoredRowError(table, column === undefined ? '(row)' : String(column), `${issue?.message ?? 'malformed'}${where}`);
}

/** A TEXT column holding JSON, parsed and then checked against its schema. */
export function jsonColumn<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Like parseRow for a lookup that may find nothing (better-sqlite3's `get` answers undefined then). */
export function parseRowIfAny<S extends z.ZodType>(table: string, schema: S, row: unknown): z.output<S> | undefined {
  return row === undefined ? undefined : parseRow(table, schema, row);
}

/** Reads the rows of a table (or a query named after its table) through one schema. */
export function parseRows<S extends z.ZodType>(table: string, schema: S, rows: readonly unknown[]): z.output<S>[] {
  return rows.map((row) => parseRow(table, schema, row));
}
