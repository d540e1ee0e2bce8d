// The drainer never forgets a due message (one that becomes due between its look and its timer is still sent), never
// spins on the one in flight, and keeps a message queued when the relay's answer is out of protocol.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeClock, type Clock } from '../../shared/clock';
import { uuidv7 } from '../../shared/uuidv7';
import { openLocalStore, type LocalStore } from './local-store';
import { OutboxDrainer, type DrainerDeps, type OutboxStore } from './outbox-drainer';
import { typedLink, type RawRequest } from './relay-link';
import { drainerPort } from './sending-service';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A real cache in a fresh folder with one queued text, and its outbox as the drainer's port. */
function cacheWithOneMessage(queuedAt: number): { store: LocalStore; outbox: OutboxStore; id: string } {
  const store = openLocalStore(mkdtempSync(path.join(tmpdir(), 'branchline-drain-')));
  const outbox = drainerPort(store.outbox);
  const id = uuidv7();
  const content = { type: 'text' as const, body: 'hi' };
  store.outbox.queue({ id, request: { conversationId: 'c1', content }, content, agentId: null, now: queuedAt });
  return { store, outbox, id };
}

/** A drainer over the connection's typed link, answered by `relay` (the raw frames a relay would send). */
function drainerFor(outbox: OutboxStore, clock: Clock, relay: RawRequest, overrides: Partial<DrainerDeps> = {}): OutboxDrainer {
  return new OutboxDrainer({
    store: outbox,
    link: typedLink(relay, () => true),
    clock,
    random: () => 0,
    backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 10_000 },
    concurrency: 4,
    prepare: async (item) => ({ ok: true, value: { clientMessageId: item.messageId, ...item.request } }),
    onChanges: () => {},
    log: () => {},
    ...overrides,
  });
}

describe('outbox drainer', () => {
  it('sends a message that falls due between the drainer looking and scheduling its next look (no stall)', async () => {
    const { store, outbox, id } = cacheWithOneMessage(1);
    const fake = createFakeClock(0, 0);
    // Wall time moves on between any two reads, as it does on a real, busy machine.
    let t = 5_000;
    const clock = { wallNow: () => t++, monotonicNow: () => fake.monotonicNow(), setTimer: (ms: number, fn: () => void) => fake.setTimer(ms, fn) };
    // The race: the message falls due one millisecond after the moment dueOutbox looks, which is by the time the
    // drainer computes its next wake-up (the wall clock has moved on).
    const dueOutbox = outbox.dueOutbox;
    let firstLook = true;
    outbox.dueOutbox = (now, limit) => {
      if (firstLook) {
        firstLook = false;
        outbox.outboxRetryLater(id, 1, now + 1);
      }
      return dueOutbox(now, limit);
    };
    const sent: string[] = [];
    const drainer = drainerFor(outbox, clock, async (_method, params) => {
      sent.push((params as { clientMessageId: string }).clientMessageId);
      return { ok: true, value: { message: { ...store.message(id), status: 'pending' } } };
    });
    drainer.kick();
    for (let i = 0; i < 5; i++) {
      fake.advance(10);
      await settle();
    }
    expect(sent).toEqual([id]);
    expect(store.outbox.queuedCount()).toBe(0);
    drainer.stop();
    store.close();
  });

  it('does not spin while the only due message is the one being sent', async () => {
    const clock = createFakeClock(1_000_000, 0);
    const { store, outbox } = cacheWithOneMessage(clock.wallNow());
    let answer: () => void = () => {};
    const drainer = drainerFor(
      outbox,
      clock,
      () => new Promise((resolve) => (answer = () => resolve({ ok: false, error: { code: 'timeout', message: 'x', retryable: true } }))),
    );
    drainer.kick();
    await settle();
    expect(clock.pendingTimers()).toBe(0); // nothing else due: no timer looping on the message in flight
    answer();
    await settle();
    drainer.stop();
    store.close();
  });

  it('keeps a message queued, and sends it again, when the relay answers messages.send out of protocol', async () => {
    const clock = createFakeClock(1_000_000, 0);
    const { store, outbox, id } = cacheWithOneMessage(clock.wallNow());
    let requests = 0;
    const logged: string[] = [];
    // First a relay out of step (no status, no content), then a well-formed answer.
    const drainer = drainerFor(
      outbox,
      clock,
      async () => ({ ok: true, value: ++requests === 1 ? { message: { id } } : { message: { ...store.message(id), status: 'pending' } } }),
      { random: () => 0.5, log: (event, fields) => logged.push(`${event} ${String(fields?.['code'] ?? '')}`.trim()) }, // the retry waits 50 ms
    );
    drainer.kick();
    await settle();
    expect(logged).toContain('outbox.retry internal');
    expect(store.outbox.queuedCount()).toBe(1);
    expect(requests).toBe(1);
    for (let i = 0; i < 6; i++) {
      clock.advance(10);
      await settle();
    }
    expect(requests).toBe(2);
    expect(store.outbox.queuedCount()).toBe(0);
    expect(store.message(id)?.status).toBe('pending');
    drainer.stop();
    store.close();
  });
});
