// Clock probes for the clock-jump scenario: a wall clock that can be set off, reconnect backoff and outbox retries under jumps.
import net from 'node:net';
import { DEFAULT_BACKOFF } from '../../../src/shared/backoff';
import { createFakeClock, systemClock, type Clock } from '../../../src/shared/clock';
import { uuidv7 } from '../../../src/shared/uuidv7';
import { connectionStateOf } from '../../../src/main/core/domain/connection-state';
import { openLocalStore } from '../../../src/main/core/local-store';
import { OutboxDrainer } from '../../../src/main/core/outbox-drainer';
import { RelayConnection } from '../../../src/main/core/relay-connection';
import { typedLink } from '../../../src/main/core/relay-link';
import { drainerPort } from '../../../src/main/core/sending-service';
import { waitFor } from '../../../src/relay/test-support/relay-harness';
import { sleep } from './customers';
import type { Figures } from './figures';
import { freshDir } from './paths';
import type { ScenarioContext } from './scenario';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Real time, except that the wall clock can be set off by any amount, as an agent changing the date would. */
export function skewableClock(): Clock & { jump(ms: number): void; offset(): number } {
  let offset = 0;
  return {
    wallNow: () => Date.now() + offset,
    monotonicNow: () => systemClock.monotonicNow(),
    setTimer: systemClock.setTimer,
    jump: (ms) => void (offset += ms),
    offset: () => offset,
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Reconnect backoff under wall-clock jumps: attempts follow monotonic time only, and the UI's "next attempt at" stays sane. */
export async function backoffUnderJumps(ctx: ScenarioContext, figures: Figures): Promise<void> {
  const clock = createFakeClock(Date.now(), 0);
  const policy = { baseMs: 1_000, capMs: 30_000, resetAfterMs: 60_000 };
  let attempts = 0;
  let snapshot = null as ReturnType<RelayConnection['snapshot']> | null;
  const connection = new RelayConnection({
    relayUrl: `http://127.0.0.1:${await closedPort()}`,
    token: 'faults-token-unused',
    deviceId: 'clock-device',
    cursor: () => null,
    onEvents: async () => {},
    onResync: async () => {},
    onStateChange: (s) => void (snapshot = s),
    clock,
    random: () => 0.999,
    backoff: policy,
    log: (event) => void (event === 'relay.connecting' && attempts++),
  });
  ctx.defer(() => connection.stop());
  connection.start();
  const rounds = ctx.scale === 'fast' ? 4 : 10;
  for (let round = 0; round < rounds; round++) {
    await waitFor('the attempt to fail', () => (snapshot?.status === 'backing_off' ? true : undefined), 10_000);
    const due = snapshot!.nextAttemptAtMono! - clock.monotonicNow();
    const before = attempts;
    for (const jump of ctx.rng.shuffle([DAY, -DAY, 7 * DAY, -HOUR, HOUR])) {
      clock.jumpWall(jump);
      figures.faults += 1;
      const shown = connectionStateOf(snapshot, true, true, 0, clock).nextAttemptAt;
      if (shown === null || shown < clock.wallNow() || shown > clock.wallNow() + policy.capMs) {
        figures.violations.push(
          `after a ${jump / HOUR} h jump the status bar would say the next attempt is ${shown === null ? 'unknown' : `${Math.round((shown - clock.wallNow()) / 1000)} s away`}`,
        );
      }
    }
    await sleep(20);
    if (attempts !== before) figures.violations.push('a wall-clock jump made the console reconnect early');
    if (due > 1) clock.advance(due - 1);
    await sleep(20);
    if (attempts !== before) figures.violations.push('the console reconnected before its backoff ran out');
    clock.advance(1);
    await waitFor('the next attempt, once the backoff ran out', () => (attempts > before ? true : undefined), 10_000).catch(() => {
      figures.violations.push(`no reconnect attempt after the backoff ran out (round ${round + 1})`);
    });
  }
  figures.notes.push(`reconnect attempts under ${rounds * 5} wall jumps: ${attempts}, each exactly when its monotonic backoff ran out`);
}

/** An outbox message whose send keeps failing, a clock set back an hour: how many retries in two backoff caps. */
export async function outboxUnderJump(): Promise<{ retries: number }> {
  const clock = createFakeClock(Date.now(), 0);
  const store = openLocalStore(freshDir('outbox'));
  let requests = 0;
  const drainer = new OutboxDrainer({
    store: drainerPort(store.outbox),
    clock,
    random: () => 0.5,
    backoff: DEFAULT_BACKOFF,
    concurrency: 1,
    link: typedLink(
      async () => (requests++, { ok: false, error: { code: 'offline', message: 'down', retryable: true } }),
      () => true,
    ),
    prepare: async (item) => ({ ok: true, value: { clientMessageId: item.messageId, ...item.request } }),
    onChanges: () => {},
    log: () => {},
  });
  store.outbox.queue({
    id: uuidv7(),
    request: { conversationId: 'c1', content: { type: 'text', body: 'cj outbox' } },
    content: { type: 'text', body: 'cj outbox' },
    agentId: null,
    now: clock.wallNow(),
  });
  drainer.kick();
  await sleep(5);
  clock.jumpWall(-HOUR);
  for (let t = 0; t < DEFAULT_BACKOFF.capMs * 2; t += 250) {
    clock.advance(250);
    await new Promise((resolve) => setImmediate(resolve));
  }
  drainer.stop();
  store.close();
  return { retries: requests - 1 };
}
