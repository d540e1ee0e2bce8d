import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testPostgres } from '../../test-support/postgres-tests';
import { openRelayDatabase, type RelayDatabase } from '../relay-db';
import type { PgDatabase } from './pg-database';
import { openPostgresRelayDatabase } from './pg-migrations';

const pg = testPostgres();

/** One table as both databases can describe it: what the relay's SQL depends on. */
interface TableShape {
  columns: string[];
  notNull: string[];
  primaryKey: string[];
  unique: string[];
  foreignKeys: string[];
}
interface IndexShape {
  table: string;
  unique: boolean;
  partial: boolean;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

function sqliteShape(db: RelayDatabase): { tables: Record<string, TableShape>; indexes: Record<string, IndexShape> } {
  const names = z
    .array(z.object({ name: z.string() }))
    .parse(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all());
  const tables: Record<string, TableShape> = {};
  const indexes: Record<string, IndexShape> = {};
  for (const { name } of names) {
    const cols = z.array(z.object({ name: z.string(), notnull: z.number(), pk: z.number() })).parse(db.pragma(`table_info(${name})`));
    const list = z.array(z.object({ name: z.string(), unique: z.number(), origin: z.string(), partial: z.number() })).parse(db.pragma(`index_list(${name})`));
    const columnsOf = (index: string) =>
      z
        .array(z.object({ name: z.string().nullable() }))
        .parse(db.pragma(`index_info(${index})`))
        .map((c) => c.name ?? '(expression)');
    const fks = z.array(z.object({ table: z.string(), from: z.string(), to: z.string() })).parse(db.pragma(`foreign_key_list(${name})`));
    tables[name] = {
      columns: sorted(cols.map((c) => c.name)),
      // A primary key column cannot hold NULL in PostgreSQL; SQLite's table_info reports it as nullable.
      notNull: sorted(cols.filter((c) => c.notnull === 1 || c.pk > 0).map((c) => c.name)),
      primaryKey: cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      unique: sorted(list.filter((i) => i.origin === 'u').map((i) => columnsOf(i.name).join(','))),
      foreignKeys: sorted(fks.map((f) => `${f.from}->${f.table}.${f.to}`)),
    };
    for (const i of list.filter((x) => x.origin === 'c')) indexes[i.name] = { table: name, unique: i.unique === 1, partial: i.partial === 1 };
  }
  return { tables, indexes };
}

async function postgresShape(db: PgDatabase): Promise<{ tables: Record<string, TableShape>; indexes: Record<string, IndexShape> }> {
  const Column = z.object({ table_name: z.string(), column_name: z.string(), is_nullable: z.string() });
  const columns = z
    .array(Column)
    .parse(await db.all("SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name"));
  const Constraint = z.object({ tbl: z.string(), contype: z.string(), cols: z.string(), ref: z.string().nullable() });
  const constraints = z.array(Constraint).parse(
    await db.all(`
      SELECT c.conrelid::regclass::text AS tbl, c.contype::text AS contype,
             (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
             CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text || '.' ||
               (SELECT string_agg(a.attname, ',') FROM unnest(c.confkey) AS k(attnum) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) END AS ref
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')`),
  );
  const Index = z.object({ name: z.string(), tbl: z.string(), unique: z.boolean(), partial: z.boolean() });
  const indexList = z.array(Index).parse(
    (
      await db.all(`
      SELECT i.relname AS name, t.relname AS tbl, x.indisunique::int AS "unique", (x.indpred IS NOT NULL)::int AS partial
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`)
    ).map((row) =>
      z
        .object({ name: z.string(), tbl: z.string(), unique: z.number(), partial: z.number() })
        .transform((r) => ({ ...r, unique: r.unique === 1, partial: r.partial === 1 }))
        .parse(row),
    ),
  );
  const tables: Record<string, TableShape> = {};
  // The schema version table is PostgreSQL's user_version, not a relay table.
  for (const c of columns.filter((x) => x.table_name !== 'branchline_schema')) {
    const t = (tables[c.table_name] ??= { columns: [], notNull: [], primaryKey: [], unique: [], foreignKeys: [] });
    t.columns.push(c.column_name);
    if (c.is_nullable === 'NO') t.notNull.push(c.column_name);
  }
  for (const c of constraints) {
    const t = tables[c.tbl];
    if (t === undefined) continue;
    if (c.contype === 'p') t.primaryKey = c.cols.split(',');
    if (c.contype === 'u') t.unique.push(c.cols);
    if (c.contype === 'f') t.foreignKeys.push(`${c.cols}->${c.ref ?? ''}`);
  }
  for (const t of Object.values(tables)) {
    t.columns = sorted(t.columns);
    t.notNull = sorted(t.notNull);
    t.unique = sorted(t.unique);
    t.foreignKeys = sorted(t.foreignKeys);
  }
  const indexes: Record<string, IndexShape> = {};
  for (const i of indexList) indexes[i.name] = { table: i.tbl, unique: i.unique, partial: i.partial };
  return { tables, indexes };
}

describe.skipIf(pg.skipReason !== null)(
  pg.skipReason === null ? 'The PostgreSQL schema matches SQLite’s' : `The PostgreSQL schema matches SQLite’s (SKIPPED: ${pg.skipReason})`,
  () => {
    let dir: string;
    let sqlite: ReturnType<typeof sqliteShape>;
    let postgres: Awaited<ReturnType<typeof postgresShape>>;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'bl-schema-'));
      const lite = openRelayDatabase(dir);
      sqlite = sqliteShape(lite);
      lite.close();
      const db = await openPostgresRelayDatabase(await pg.createDatabase());
      postgres = await postgresShape(db);
      await db.close();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('has the same tables', () => {
      expect(Object.keys(postgres.tables).sort()).toEqual(Object.keys(sqlite.tables).sort());
    });

    it('has, table by table, the same columns, NOT NULLs, keys, unique columns and references', () => {
      for (const [name, shape] of Object.entries(sqlite.tables)) expect({ table: name, ...postgres.tables[name] }).toEqual({ table: name, ...shape });
    });

    it('has the same named indexes, unique and partial where SQLite’s are', () => {
      expect(postgres.indexes).toEqual(sqlite.indexes);
    });
  },
);
