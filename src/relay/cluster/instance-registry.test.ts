import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../shared/clock';
import { createLogger, phonePseudonymizer } from '../log';
import { openRelayDatabase } from '../store/relay-db';
import { SqliteDatabase } from '../store/sql/sqlite-database';
import { createInstanceRegistry, HEARTBEAT_MS, STALE_AFTER_MS, type InstanceRegistry } from './instance-registry';

const log = createLogger({ level: 'error', write: () => {}, pseudonym: phonePseudonymizer('salt') });

let dir: string;
const opened: Database.Database[] = [];

/** An instance on its own connection to the shared file, with its own clock: a clock that stands still is a frozen process. */
function instance(clock: FakeClock, id: string): InstanceRegistry {
  const raw = new Database(path.join(dir, 'relay.db'));
  raw.pragma('busy_timeout = 5000');
  opened.push(raw);
  return createInstanceRegistry({ db: new SqliteDatabase(raw), clock, log, id });
}

/** Lets a beat that a clock advance started finish its few statements (no real I/O is involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

const A = 'aaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbb';

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bl-instances-'));
  openRelayDatabase(dir).close(); // the relay's schema, relay_instances included
});
afterEach(() => {
  for (const raw of opened.splice(0)) raw.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the registry of relay instances sharing one database', () => {
  it('finds another instance by its id, with the URL and key it registered, while it beats', async () => {
    const [clockA, clockB] = [createFakeClock(), createFakeClock()];
    const a = instance(clockA, A);
    const b = instance(clockB, B);
    await a.start('http://127.0.0.1:9001');
    await b.start('http://127.0.0.1:9002');
    expect(await b.peer(A)).toEqual({ id: A, url: 'http://127.0.0.1:9001', forwardKey: a.forwardKey });
    // Both keep beating for longer than the stale time: still found.
    for (let i = 0; i < 6; i++) {
      clockA.advance(HEARTBEAT_MS);
      clockB.advance(HEARTBEAT_MS);
      await settle();
    }
    expect(await b.peer(A)).toMatchObject({ id: A });
  });

  it('takes an instance silent past the stale time for gone, and back when it beats again', async () => {
    const [clockA, clockB] = [createFakeClock(), createFakeClock()];
    const a = instance(clockA, A);
    const b = instance(clockB, B);
    await a.start('http://127.0.0.1:9001');
    await b.start('http://127.0.0.1:9002');
    clockB.advance(STALE_AFTER_MS + HEARTBEAT_MS);
    await settle();
    expect(await b.peer(A)).toBeNull();
    // A was only frozen (a long pause): its next beat makes it reachable again.
    clockA.advance(STALE_AFTER_MS + HEARTBEAT_MS);
    await settle();
    expect(await b.peer(A)).toMatchObject({ id: A });
  });

  it('forgets an instance that stopped at its next beat, long before the stale time, and knows none it never saw', async () => {
    const clock = createFakeClock();
    const a = instance(clock, A);
    const b = instance(clock, B);
    await a.start('http://127.0.0.1:9001');
    await b.start('http://127.0.0.1:9002');
    expect(await b.peer(A)).not.toBeNull();
    await a.stop();
    clock.advance(HEARTBEAT_MS);
    await settle();
    expect(await b.peer(A)).toBeNull();
    expect(await b.peer('cccccccccccccccccccc')).toBeNull();
  });

  it('cannot forward to an instance that registered no URL (listening on every address with no RELAY_INSTANCE_URL)', async () => {
    const clock = createFakeClock();
    const a = instance(clock, A);
    const b = instance(clock, B);
    await a.start(null);
    await b.start('http://127.0.0.1:9002');
    expect(await b.peer(A)).toBeNull();
    expect(await a.peer(B)).toMatchObject({ url: 'http://127.0.0.1:9002' });
  });

  it('removes the rows of instances silent for over an hour, so the table does not grow with every restart', async () => {
    const [clockA, clockB] = [createFakeClock(), createFakeClock()];
    const a = instance(clockA, A);
    const b = instance(clockB, B);
    await a.start('http://127.0.0.1:9001');
    await b.start('http://127.0.0.1:9002');
    const ids = () => opened[0]!.prepare('SELECT id FROM relay_instances ORDER BY id').all();
    clockB.advance(3_600_000);
    await settle();
    // The clean-up runs about once a minute of beats, not on each.
    for (let i = 0; i < 12 && ids().length > 1; i++) {
      clockB.advance(HEARTBEAT_MS);
      await settle();
    }
    expect(ids()).toEqual([{ id: B }]);
  });

  it('registers again on its next beat when another instance removed its row', async () => {
    const clock = createFakeClock();
    const a = instance(clock, A);
    const b = instance(clock, B);
    await a.start('http://127.0.0.1:9001');
    await b.start('http://127.0.0.1:9002');
    const rows = () => opened[0]!.prepare('SELECT id, url FROM relay_instances ORDER BY id').all();
    opened[0]!.prepare('DELETE FROM relay_instances WHERE id = ?').run(A);
    expect(rows()).toEqual([{ id: B, url: 'http://127.0.0.1:9002' }]);
    clock.advance(HEARTBEAT_MS);
    await settle();
    expect(rows()).toEqual([
      { id: A, url: 'http://127.0.0.1:9001' },
      { id: B, url: 'http://127.0.0.1:9002' },
    ]);
  });
});
