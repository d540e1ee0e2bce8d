import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from './sqlite-database';

describe('SqliteDatabase: the SQL port on one SQLite connection', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bl-sql-'));
    const raw = new Database(path.join(dir, 'x.db'));
    raw.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    db = new SqliteDatabase(raw);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a statement from another caller out of an open transaction until it commits', async () => {
    let seenInside: unknown;
    const tx = db.transaction(async () => {
      await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a gap another caller could use
      seenInside = await db.get('SELECT n FROM t WHERE id = ?', ['a']);
      await db.run('UPDATE t SET n = ? WHERE id = ?', [2, 'a']);
    });
    // Issued while the transaction is open: it must see the committed state, never the half-written one.
    const outside = db.get('SELECT n FROM t WHERE id = ?', ['a']);
    await tx;
    expect(seenInside).toEqual({ n: 1 });
    expect(await outside).toEqual({ n: 2 });
  });

  it('rolls back everything when the work throws, and runs the next transaction after it', async () => {
    await expect(
      db.transaction(async () => {
        await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await db.transaction(async () => {
      await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['b', true]);
    });
    expect(await db.all('SELECT id, n FROM t ORDER BY id')).toEqual([{ id: 'b', n: 1 }]);
  });

  it('joins a nested transaction to the outer one and serializes concurrent ones', async () => {
    const order: string[] = [];
    const one = db.transaction(async () => {
      order.push('one:start');
      await db.transaction(async () => db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['x', 1]));
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push('one:end');
    });
    const two = db.transaction(async () => {
      order.push('two:start');
      await db.run('UPDATE t SET n = n + 1 WHERE id = ?', ['x']);
      order.push('two:end');
    });
    await Promise.all([one, two]);
    expect(order).toEqual(['one:start', 'one:end', 'two:start', 'two:end']);
    expect(await db.get('SELECT n FROM t WHERE id = ?', ['x'])).toEqual({ n: 2 });
  });

  it('offers PostgreSQL’s greatest and least, ignoring NULLs', async () => {
    expect(await db.get('SELECT greatest(?, ?, ?) AS g, least(?, ?) AS l, greatest(NULL, NULL) AS none', [3, null, 7, null, 4])).toEqual({
      g: 7,
      l: 4,
      none: null,
    });
    expect(await db.all(`SELECT value FROM (SELECT 1) JOIN ${db.dialect.jsonList}`, [JSON.stringify(['p', 'q'])])).toEqual([{ value: 'p' }, { value: 'q' }]);
  });
});
