// The behaviour every SqlDatabase engine owes its callers, as one suite run on SQLite and on PostgreSQL.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import type { SqlDatabase } from '../store/sql/sql-database';

export interface OpenedEngine {
  readonly db: SqlDatabase;
  /** Closes the engine and removes what it stored. */
  done(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the engine tests in the calling describe block; `open` gives a fresh, empty database each time. */
export function sqlEngineSuite(open: () => Promise<OpenedEngine>): void {
  let engine: OpenedEngine;
  let db: SqlDatabase;
  beforeEach(async () => {
    engine = await open();
    db = engine.db;
    await db.run('CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT NOT NULL)');
  });
  afterEach(async () => {
    await engine.done();
  });

  it('never shows another caller the half-written state of an open transaction', async () => {
    let seenInside: unknown;
    const tx = db.transaction(async () => {
      await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
      await pause(20); // a gap another caller could use
      seenInside = await db.get('SELECT n FROM t WHERE id = ?', ['a']);
      await db.run('UPDATE t SET n = ? WHERE id = ?', [2, 'a']);
    });
    // Issued while the transaction is open: before it (no row) or after it (n = 2), never n = 1.
    const outside = db.get('SELECT n FROM t WHERE id = ?', ['a']);
    await tx;
    expect(seenInside).toEqual({ n: 1 });
    expect([undefined, { n: 2 }]).toContainEqual(await outside);
    expect(await db.get('SELECT n FROM t WHERE id = ?', ['a'])).toEqual({ n: 2 });
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
      await pause(10);
      order.push('one:end');
    });
    const two = db.transaction(async () => {
      order.push('two:start');
      await db.run('UPDATE t SET n = n + 1 WHERE id = ?', ['x']);
      order.push('two:end');
    });
    await Promise.all([one, two]);
    // Either may go first (PostgreSQL's pool does not promise the order of callers), but never interleaved.
    const oneFirst = order[0] === 'one:start';
    expect(order).toEqual(oneFirst ? ['one:start', 'one:end', 'two:start', 'two:end'] : ['two:start', 'two:end', 'one:start', 'one:end']);
    expect(await db.get('SELECT n FROM t WHERE id = ?', ['x'])).toEqual({ n: oneFirst ? 2 : 1 });
  });

  it('keeps a statement started by a finished transaction out of the next one', async () => {
    let fire = () => {};
    let late: Promise<unknown> = Promise.resolve();
    await db.transaction(async () => {
      await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
      // Registered inside the work, so it runs in the transaction's async context, but after the commit.
      late = new Promise<void>((resolve) => (fire = resolve)).then(() => db.get('SELECT count(*) AS c FROM t'));
    });
    await expect(
      db.transaction(async () => {
        await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['uncommitted', 2]);
        fire();
        await pause(50); // time for a misrouted statement to run in here
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await late).toEqual({ c: 1 });
  });

  it('offers greatest and least ignoring NULLs, and a JSON list as one parameter', async () => {
    expect(
      await db.get('SELECT greatest(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)) AS g, least(CAST(? AS BIGINT), CAST(? AS BIGINT)) AS l', [
        3,
        null,
        7,
        null,
        4,
      ]),
    ).toEqual({ g: 7, l: 4 });
    await db.run('INSERT INTO t (id, n) VALUES (?, ?), (?, ?), (?, ?)', ['p', 1, 'q', 2, 'r', 3]);
    expect(await db.all(`SELECT id FROM t WHERE id IN ${db.dialect.jsonList} ORDER BY id`, [JSON.stringify(['r', 'p', 'zz'])])).toEqual([
      { id: 'p' },
      { id: 'r' },
    ]);
    expect(await db.all(`SELECT value FROM ${db.dialect.jsonList} AS v ORDER BY value`, [JSON.stringify(['q', 'p'])])).toEqual([
      { value: 'p' },
      { value: 'q' },
    ]);
    const { ids } = z.object({ ids: z.string() }).parse(await db.get(`SELECT ${db.dialect.stringAgg('id')} AS ids FROM t`));
    expect(ids.split(',').sort()).toEqual(['p', 'q', 'r']);
  });

  it('returns counts and millisecond timestamps as numbers, and booleans as 0/1', async () => {
    const at = 1_764_000_000_123;
    await db.run('INSERT INTO t (id, n) VALUES (?, ?), (?, ?)', ['a', at, 'b', false]);
    expect(await db.get('SELECT count(*) AS c, max(n) AS latest, sum(n) AS total FROM t')).toEqual({ c: 2, latest: at, total: at });
    expect(await db.get('SELECT n FROM t WHERE id = ?', ['b'])).toEqual({ n: 0 });
  });

  it('leaves a ? inside quotes alone and counts the changes a statement made', async () => {
    expect(await db.get("SELECT '?' AS q, ? AS p, 'it''s ?' AS r", ['x'])).toEqual({ q: '?', p: 'x', r: "it's ?" });
    expect((await db.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1])).changes).toBe(1);
    expect((await db.run('INSERT INTO t (id, n) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', ['a', 9])).changes).toBe(0);
    expect(await db.get('INSERT INTO t (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = t.n + 1 RETURNING n', ['a', 9])).toEqual({ n: 2 });
    expect((await db.run('UPDATE t SET n = n + 1')).changes).toBe(1);
  });
}
