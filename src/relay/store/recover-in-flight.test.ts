// Regression: after a restart, a send that may have reached Meta waits a full reconcile grace of relay uptime.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/uuidv7';
import { openSqliteRelayStore } from './relay-db';
import type { SqlRelayStore } from './sql-relay-store';

const T0 = Date.UTC(2026, 10, 24, 9);
const GRACE = 20_000;
let store: SqlRelayStore | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
});

async function storeWithOneSend(): Promise<{ store: SqlRelayStore; messageId: string }> {
  store = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-recover-'))).store;
  await store.setAgentToken('ana', 'Ana Cohen', 'hash-of-ana', T0);
  const messageId = uuidv7();
  const content = { type: 'template' as const, name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl St.'] };
  const params = { clientMessageId: messageId, waId: '972541234567', content };
  const accepted = await store.acceptSend({ agentId: 'ana', params, requestHash: 'h', now: T0, phoneNumberId: '106540352242922', phoneNumberOnly: false });
  expect(accepted.ok).toBe(true);
  return { store, messageId };
}

const dueIds = async (s: SqlRelayStore, at: number) => (await s.dueJobs(at, 10)).map((j) => j.messageId);

// Before the fix only a send still marked in flight got the grace: one recovered by an earlier start that died inside
// its grace was resent as soon as that first grace ran out, though the relay had been down for most of it.
describe('recoverInFlight', () => {
  it('holds a send interrupted mid-flight for the grace', async () => {
    const { store: s, messageId } = await storeWithOneSend();
    await s.markInFlight(messageId, T0);
    expect(await s.recoverInFlight(T0 + 1_000, GRACE)).toBe(1);
    expect(await dueIds(s, T0 + 1_000 + GRACE - 1)).toEqual([]);
    expect(await dueIds(s, T0 + 1_000 + GRACE)).toEqual([messageId]);
  });

  it('gives the grace again to a recovered send when the relay restarts before it ran out', async () => {
    const { store: s, messageId } = await storeWithOneSend();
    await s.markInFlight(messageId, T0);
    await s.recoverInFlight(T0 + 1_000, GRACE); // first restart, then the relay dies again at once
    await s.recoverInFlight(T0 + 15_000, GRACE); // second restart: only 5 s of the first grace were left
    expect(await dueIds(s, T0 + 1_000 + GRACE)).toEqual([]);
    expect(await dueIds(s, T0 + 15_000 + GRACE)).toEqual([messageId]);
  });

  it('gives the grace again when the relay stayed down longer than the grace', async () => {
    const { store: s, messageId } = await storeWithOneSend();
    await s.markInFlight(messageId, T0);
    await s.recoverInFlight(T0 + 1_000, GRACE);
    await s.recoverInFlight(T0 + 120_000, GRACE);
    expect(await dueIds(s, T0 + 120_000)).toEqual([]);
    expect(await dueIds(s, T0 + 120_000 + GRACE)).toEqual([messageId]);
  });

  it('leaves a send that was never tried due at once', async () => {
    const { store: s, messageId } = await storeWithOneSend();
    expect(await s.recoverInFlight(T0 + 1_000, GRACE)).toBe(0);
    expect(await dueIds(s, T0 + 1_000)).toEqual([messageId]);
  });
});
