import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlEngineSuite } from '../../test-support/sql-engine-suite';
import { SqliteDatabase } from './sqlite-database';

async function openSqlite() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bl-sql-'));
  const db = new SqliteDatabase(new Database(path.join(dir, 'x.db')));
  return {
    db,
    done: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('SqliteDatabase: the SQL port on one SQLite connection', () => {
  sqlEngineSuite(openSqlite);
});

describe('SqliteDatabase: one connection, so other callers wait', () => {
  let engine: Awaited<ReturnType<typeof openSqlite>>;
  beforeEach(async () => {
    engine = await openSqlite();
    await engine.db.run('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  });
  afterEach(() => engine.done());

  it('keeps a statement from another caller out of an open transaction until it commits', async () => {
    const { db } = engine;
    const tx = db.transaction(async () => {
      await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a gap another caller could use
      await db.run('UPDATE t SET n = ? WHERE id = ?', [2, 'a']);
    });
    // On the one connection it would run inside the transaction; it waits, and sees the committed state.
    const outside = db.get('SELECT n FROM t WHERE id = ?', ['a']);
    await tx;
    expect(await outside).toEqual({ n: 2 });
  });
});
