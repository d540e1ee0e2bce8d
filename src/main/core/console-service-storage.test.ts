// Regression: a full or read-only disk reaches the UI as storage_full / storage_readonly, and link changes still do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../shared/clock';
import type { ConnectionState } from '../../shared/contract';
import { createConsole, type Console } from './create-console';
import type { ConnectionFactory, LinkSnapshot } from './service-types';
import { memoryTokenStore } from './session-service';

const NOW = Date.UTC(2026, 10, 24, 10);
const LIVE: LinkSnapshot = {
  status: 'live',
  transport: 'ws',
  nextAttemptAtMono: null,
  detail: null,
  tlsProblem: false,
  agent: { id: 'ana', name: 'Ana Cohen' },
};
const consoles: Console[] = [];

afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
});

async function setup() {
  let report: (snapshot: LinkSnapshot) => void = () => {};
  const connect: ConnectionFactory = (options) => {
    report = options.onStateChange;
    return {
      start: () => {},
      stop: async () => {},
      retryNow: () => {},
      snapshot: () => LIVE,
      request: async () => ({ ok: false, error: { code: 'offline', message: 'not now', retryable: true } }),
    };
  };
  const unavailable = { ok: false as const, error: { code: 'unavailable' as const, message: 'no', retryable: true } };
  const core = createConsole({
    dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-storage-')),
    tokens: memoryTokenStore('token-0123456789'),
    connect,
    media: { upload: async () => unavailable, download: async () => unavailable },
    clock: createFakeClock(NOW, 0),
  });
  const { service, store } = core;
  store.session.setRelayUrl('http://127.0.0.1:9');
  store.applySnapshot(
    [
      {
        id: 'c1',
        customer: { waId: '972541234567', name: 'Dana' },
        assignedAgentId: null,
        lastInboundAt: NOW - 60_000,
        caseId: null,
        readUpTo: null,
        lastMessageAt: NOW,
        createdAt: NOW,
        updatedAt: NOW,
      },
    ],
    [],
  );
  consoles.push(core);
  const states: ConnectionState[] = [];
  service.on((event, payload) => void (event === 'connection.changed' && states.push(payload as ConnectionState)));
  await core.start();
  return { store, service, states, report: (s: LinkSnapshot) => report(s) };
}

// Before the fix both came back as "internal", and a state change of the link never reached the UI while the database
// refused writes: the agent's meta write threw before connection.changed was emitted.
describe('the console service on a disk that refuses writes', () => {
  it('answers storage_full when the disk is full, and saves nothing', async () => {
    const { store, service } = await setup();
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    const big = 'x'.repeat(4_000);
    let result = await service.call('messages.sendText', { conversationId: 'c1', body: big });
    // A page or two may still be free: keep pressing Send until the disk really is full.
    for (let i = 0; i < 50 && result.ok; i++) result = await service.call('messages.sendText', { conversationId: 'c1', body: big });
    expect(result).toMatchObject({ ok: false, error: { code: 'storage_full' } });
    const queued = store.outbox.queuedCount();
    store.db.pragma('max_page_count = 1073741823');
    expect(store.outbox.queuedCount()).toBe(queued);
  });

  it('answers storage_readonly when the database cannot be written', async () => {
    const { store, service } = await setup();
    store.db.pragma('query_only = 1');
    expect(await service.call('messages.sendText', { conversationId: 'c1', body: 'hello' })).toMatchObject({ ok: false, error: { code: 'storage_readonly' } });
    expect(await service.call('drafts.save', { conversationId: 'c1', text: 'half a thought' })).toMatchObject({
      ok: false,
      error: { code: 'storage_readonly' },
    });
    store.db.pragma('query_only = 0');
    expect(store.outbox.queuedCount()).toBe(0);
  });

  it('still tells the UI about the link while the database is read-only', async () => {
    const { store, states, report } = await setup();
    store.db.pragma('query_only = 1');
    report(LIVE);
    report({ ...LIVE, status: 'backing_off', nextAttemptAtMono: 500, detail: { code: 'local_storage_failed', params: {} } });
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', detail: { code: 'local_storage_failed' } });
  });
});
