// Regression: the outbox keeps retrying when the wall clock is set back.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from '../../shared/backoff';
import { createFakeClock } from '../../shared/clock';
import { uuidv7 } from '../../shared/uuidv7';
import { openLocalStore } from './local-store';
import { OutboxDrainer } from './outbox-drainer';
import { typedLink } from './relay-link';
import { drainerPort } from './sending-service';

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const clock = createFakeClock(Date.UTC(2026, 10, 24, 10), 0);
  const store = openLocalStore(mkdtempSync(path.join(tmpdir(), 'branchline-outbox-clock-')));
  let requests = 0;
  const drainer = new OutboxDrainer({
    store: drainerPort(store.outbox),
    clock,
    random: () => 0.5,
    backoff: DEFAULT_BACKOFF,
    concurrency: 4,
    link: typedLink(
      async () => (requests++, { ok: false, error: { code: 'offline', message: 'the link dropped', retryable: true } }),
      () => true,
    ),
    prepare: async (item) => ({ ok: true, value: { clientMessageId: item.messageId, ...item.request } }),
    onChanges: () => {},
    log: () => {},
  });
  const body = 'your card is ready';
  store.outbox.queue({
    id: uuidv7(),
    request: { conversationId: 'c1', content: { type: 'text', body } },
    content: { type: 'text', body },
    agentId: 'ana',
    now: clock.wallNow(),
  });
  return { clock, store, drainer, requests: () => requests };
}

/** Moves the fake clock in small steps, letting the drainer's promises run between them. */
async function run(clock: ReturnType<typeof createFakeClock>, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 250) {
    clock.advance(250);
    await settle();
  }
}

// Retry times are wall-clock (they survive a restart): before the fix a clock set back by an hour held every queued
// message for that hour while the link was live.
describe('outbox retries and the wall clock', () => {
  it('retries within the backoff cap after the clock was set back an hour', async () => {
    const { clock, drainer, requests, store } = setup();
    drainer.kick();
    await settle();
    expect(requests()).toBe(1);
    clock.jumpWall(-3_600_000);
    await run(clock, DEFAULT_BACKOFF.capMs + 1_000);
    expect(requests()).toBeGreaterThan(1);
    drainer.stop();
    store.close();
  });

  it('retries at once, and only once, after the clock jumped a day forward', async () => {
    const { clock, drainer, requests, store } = setup();
    drainer.kick();
    await settle();
    clock.jumpWall(86_400_000);
    drainer.kick();
    await settle();
    expect(requests()).toBe(2);
    drainer.stop();
    store.close();
  });
});
