// The drainer never forgets a due message: one that becomes due between its look and its timer is still sent.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../shared/clock';
import type { Message } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { openLocalDatabase } from './local-db';
import { LocalStore } from './local-store';
import { OutboxDrainer } from './outbox-drainer';

describe('outbox drainer', () => {
  it('sends a message that falls due between the drainer looking and scheduling its next look (no stall)', async () => {
    const store = new LocalStore(openLocalDatabase(mkdtempSync(path.join(tmpdir(), 'branchline-drain-'))));
    const fake = createFakeClock(0, 0);
    // Wall time moves on between any two reads, as it does on a real, busy machine.
    let t = 5_000;
    const clock = { wallNow: () => t++, monotonicNow: () => fake.monotonicNow(), setTimer: (ms: number, fn: () => void) => fake.setTimer(ms, fn) };
    const id = uuidv7();
    store.queueMessage({
      id,
      request: { conversationId: 'c1', content: { type: 'text', body: 'hi' } },
      content: { type: 'text', body: 'hi' },
      agentId: null,
      now: 1,
    });
    // The race: the message falls due one millisecond after the moment dueOutbox looks, which is by the time the
    // drainer computes its next wake-up (the wall clock has moved on).
    const dueOutbox = store.dueOutbox.bind(store);
    let firstLook = true;
    store.dueOutbox = (now, limit) => {
      if (firstLook) {
        firstLook = false;
        store.outboxRetryLater(id, 1, now + 1);
      }
      return dueOutbox(now, limit);
    };
    const sent: string[] = [];
    const drainer = new OutboxDrainer({
      store,
      link: {
        isLive: () => true,
        request: async (_method, params) => {
          sent.push((params as { clientMessageId: string }).clientMessageId);
          return { ok: true, value: { message: { ...(store.message(id) as Message), status: 'pending' } } };
        },
      },
      clock,
      random: () => 0,
      backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 10_000 },
      concurrency: 4,
      prepare: async (item) => ({ ok: true, params: { clientMessageId: item.messageId, ...item.request } }),
      onChanges: () => {},
      log: () => {},
    });
    drainer.kick();
    for (let i = 0; i < 5; i++) {
      fake.advance(10);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sent).toEqual([id]);
    expect(store.queuedCount()).toBe(0);
    drainer.stop();
    store.close();
  });

  it('does not spin while the only due message is the one being sent', async () => {
    const store = new LocalStore(openLocalDatabase(mkdtempSync(path.join(tmpdir(), 'branchline-drain-'))));
    const clock = createFakeClock(1_000_000, 0);
    const id = uuidv7();
    store.queueMessage({
      id,
      request: { conversationId: 'c1', content: { type: 'text', body: 'hi' } },
      content: { type: 'text', body: 'hi' },
      agentId: null,
      now: clock.wallNow(),
    });
    let answer: () => void = () => {};
    const drainer = new OutboxDrainer({
      store,
      link: {
        isLive: () => true,
        request: () => new Promise((resolve) => (answer = () => resolve({ ok: false, error: { code: 'timeout', message: 'x', retryable: true } }))),
      },
      clock,
      random: () => 0,
      backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 10_000 },
      concurrency: 4,
      prepare: async (item) => ({ ok: true, params: { clientMessageId: item.messageId, ...item.request } }),
      onChanges: () => {},
      log: () => {},
    });
    drainer.kick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pendingTimers()).toBe(0); // nothing else due: no timer looping on the message in flight
    answer();
    await new Promise((resolve) => setImmediate(resolve));
    drainer.stop();
    store.close();
  });
});
