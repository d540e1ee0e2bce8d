// Several relay instances on one real PostgreSQL database: each number has one sender, a dead sender's numbers are
// taken over (its in-flight jobs recovered first), and a commit through one instance wakes the others.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../shared/clock';
import { clusterMembership } from './cluster-membership';
import { silentLogger } from './log';
import { NumberLeadership } from './send-leadership';
import { NUMBER_LOCK_CLASS } from './store/postgres/pg-number-locks';
import { openPostgresRelayDatabase } from './store/postgres/pg-migrations';
import type { PgDatabase } from './store/postgres/pg-database';
import { SqlRelayStore } from './store/sql-relay-store';
import { testPostgres } from './test-support/postgres-tests';
import { customerWrites, MAIN_NUMBER, NORTH_NUMBER, seedBranches, send, T0 } from './test-support/store-contract-support';

const pg = testPostgres();
const suite = pg.skipReason === null ? 'relay instances on one PostgreSQL database' : `relay instances on one PostgreSQL database (SKIPPED: ${pg.skipReason})`;

describe.skipIf(pg.skipReason !== null)(suite, () => {
  let url: string;
  const closers: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    url = await pg.createDatabase();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function instance(): Promise<{ db: PgDatabase; store: SqlRelayStore; leadership: NumberLeadership; takenOver: string[] }> {
    const db = await openPostgresRelayDatabase(url);
    const store = new SqlRelayStore(db);
    const takenOver: string[] = [];
    const leadership = new NumberLeadership({
      locks: db.numberLocks(silentLogger),
      served: () => store.servedNumbers(),
      takeOver: async (n) => {
        takenOver.push(n);
        await store.recoverInFlight(T0 + 10_000, 20_000, n);
      },
      clock: createFakeClock(T0),
      log: silentLogger,
      intervalMs: 1_000,
    });
    closers.push(() => store.close());
    closers.push(() => leadership.stop());
    return { db, store, leadership, takenOver };
  }

  it('gives each number one sender; when it dies another takes the number over and recovers its sends in flight first', async () => {
    const a = await instance();
    const b = await instance();
    await seedBranches(a.store);
    const dana = await customerWrites(a.store, '972541234567', 'wamid.IN1');
    const job = await send(a.store, 'ana', dana);
    if (!job.ok) throw new Error(job.error.message);

    await a.leadership.tick();
    await b.leadership.tick();
    expect([...a.leadership.numbers()].sort()).toEqual([MAIN_NUMBER, NORTH_NUMBER].sort());
    expect(b.leadership.numbers()).toEqual([]);
    expect(await a.store.markInFlight(job.value.id, T0 + 2000)).toBe(true);

    // Instance a dies: the server ends its lock connection, which frees its locks.
    await b.db.run(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = ${NUMBER_LOCK_CLASS} AND objsubid = 2`);
    for (let i = 0; i < 200 && a.leadership.numbers().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(a.leadership.numbers()).toEqual([]);

    await b.leadership.tick();
    expect([...b.takenOver].sort()).toEqual([MAIN_NUMBER, NORTH_NUMBER].sort());
    // What a had in flight waits the reconcile grace, as after a crash, then is b's to send.
    expect(await b.store.dueJobs(T0 + 10_000, 10, b.leadership.numbers())).toEqual([]);
    expect((await b.store.dueJobs(T0 + 30_000, 10, b.leadership.numbers())).map((j) => j.messageId)).toEqual([job.value.id]);
    // a comes back (its connection reconnects) but b leads now: a sends nothing.
    await a.leadership.tick();
    expect(a.leadership.numbers()).toEqual([]);
  });

  it('releases its numbers when it stops, so another instance sends for them at its next look', async () => {
    const a = await instance();
    const b = await instance();
    await seedBranches(a.store);
    await a.leadership.tick();
    await a.leadership.stop();
    await b.leadership.tick();
    expect([...b.leadership.numbers()].sort()).toEqual([MAIN_NUMBER, NORTH_NUMBER].sort());
  });

  it('wakes another instance when one commits an event', async () => {
    const a = await instance();
    const b = await instance();
    await seedBranches(a.store);
    let wake: () => void = () => {};
    const wokenOnce = new Promise<void>((resolve) => (wake = resolve));
    const member = clusterMembership(b.db, { store: b.store, clock: createFakeClock(T0), log: silentLogger, takeOver: () => Promise.resolve() });
    await member.start(() => wake());
    closers.push(() => member.stop());
    await customerWrites(a.store, '972541234567', 'wamid.IN1');
    // Without the notification nothing resolves this: b has no other way to learn of a's commit here.
    await expect(wokenOnce).resolves.toBeUndefined();
  });
});
