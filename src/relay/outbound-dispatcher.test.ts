// The relay's outbound dispatcher over a real SQLite store: order, Meta's rate limits, ambiguous sends, bad rows, shutdown.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../shared/clock';
import type { Message } from '../shared/domain';
import { uuidv7 } from '../shared/uuidv7';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import { silentLogger } from './log';
import { DiskMediaFiles } from './media-files';
import { OutboundDispatcher, type SendLimiter } from './outbound-dispatcher';
import type { SendLeadership } from './send-leadership';
import { openSqliteRelayStore } from './store/relay-db';
import type { SqlRelayStore } from './store/sql-relay-store';
import { RecordingProvider } from './test-support/relay-harness';
import { recipientAddress, type ProviderSend, type SendOutcome } from './whatsapp/provider';

const T0 = Date.UTC(2026, 10, 24, 9);
const GRACE = 5_000;
const ALICE = '972541234567';
const BEN = '972541234568';
const OUR_NUMBER = '106540352242922';

/** Lets the store's and the dispatcher's promises run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves time on in steps, letting each look finish before the next timer is due (as real time would). */
async function pass(clock: FakeClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= Math.min(left, 100)) {
    clock.advance(Math.min(left, 100));
    await settle();
  }
}

const open: { dispatcher: OutboundDispatcher; store: SqlRelayStore }[] = [];
afterEach(async () => {
  for (const { dispatcher, store } of open.splice(0)) {
    await dispatcher.stop(0);
    await store.close();
  }
});

function setup(options: { limiter?: SendLimiter; provider?: RecordingProvider; leadership?: SendLeadership } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-dispatch-'));
  const { store, raw: db } = openSqliteRelayStore(dir);
  const clock = createFakeClock(T0, 0);
  const provider = options.provider ?? new RecordingProvider();
  let committed = 0;
  const dispatcher = new OutboundDispatcher({
    store,
    provider,
    limiter: options.limiter ?? { reserve: () => ({ ok: true }) },
    media: new DiskMediaFiles(path.join(dir, 'media')),
    clock,
    log: silentLogger,
    random: () => 0,
    settings: { concurrency: 4, backoff: { baseMs: 100, capMs: 60_000, resetAfterMs: 60_000 }, reconcileGraceMs: GRACE, idlePollMs: 1_000 },
    onCommitted: () => committed++,
    ...(options.leadership !== undefined && { leadership: options.leadership }),
  });
  open.push({ dispatcher, store });
  /** An agent sends a template (no 24-hour window needed) to `waId`. */
  const send = async (waId: string, name: string): Promise<Message> => {
    // Only an agent the relay knows may send (need-to-know): Ana, team main.
    if ((await store.agentAccess('ana')) === null) await store.setAgentToken('ana', 'Ana Cohen', hashAgentToken(generateAgentToken()), clock.wallNow());
    const content = { type: 'template' as const, name, language: 'en_US', parameters: [] };
    const accepted = await store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), waId, content },
      requestHash: name,
      now: clock.wallNow(),
      phoneNumberId: OUR_NUMBER,
      phoneNumberOnly: false,
    });
    if (!accepted.ok) throw new Error(accepted.error.message);
    return accepted.value;
  };
  const messageOf = async (message: Message): Promise<Message> => {
    const page = await store.history(message.conversationId, undefined, 50);
    if (!page.ok) throw new Error(page.error.message);
    return page.value.items.find((m) => m.id === message.id)!;
  };
  return { db, store, clock, provider, dispatcher, send, messageOf, committed: () => committed };
}

const templateNames = (sends: readonly ProviderSend[], to: string) =>
  sends.filter((s) => recipientAddress(s.to) === to).map((s) => (s.content.type === 'template' ? s.content.name : '?'));

describe('outbound dispatcher', () => {
  it('sends each conversation in the order the agent sent, conversations side by side', async () => {
    const { provider, dispatcher, send, messageOf, committed } = setup();
    const first = await send(ALICE, 'a_one');
    await send(BEN, 'b_one');
    await send(ALICE, 'a_two');
    await send(BEN, 'b_two');
    await dispatcher.start();
    await settle();
    expect(templateNames(provider.sends, ALICE)).toEqual(['a_one', 'a_two']);
    expect(templateNames(provider.sends, BEN)).toEqual(['b_one', 'b_two']);
    expect((await messageOf(first)).status).toBe('sent');
    expect(committed()).toBe(4);
  });

  it("leaves a message queued while Meta's rate limit holds it, and sends it when a token is due", async () => {
    const tokenAt = T0 + 500;
    const { clock, provider, dispatcher, send } = setup({
      limiter: { reserve: () => (clock.wallNow() < tokenAt ? { ok: false, waitMs: tokenAt - clock.wallNow() } : { ok: true }) },
    });
    await send(ALICE, 'a_one');
    await dispatcher.start();
    await settle();
    expect(provider.sends).toHaveLength(0);
    await pass(clock, 499);
    expect(provider.sends).toHaveLength(0);
    await pass(clock, 1);
    expect(provider.sends).toHaveLength(1);
  });

  it('after a send whose outcome is unknown, waits the reconcile grace before sending again', async () => {
    const provider = new RecordingProvider();
    provider.willAnswer({ kind: 'retry', reason: 'timeout', ambiguous: true });
    const { clock, dispatcher, send, messageOf } = setup({ provider });
    const message = await send(ALICE, 'a_one');
    await dispatcher.start();
    await settle();
    expect(provider.sends).toHaveLength(1);
    await pass(clock, GRACE - 1);
    expect(provider.sends).toHaveLength(1);
    await pass(clock, 1);
    expect(provider.sends).toHaveLength(2);
    expect((await messageOf(message)).status).toBe('sent');
  });

  it('fails for good, with the reason, a stored message whose content no send can carry', async () => {
    const { db, store, provider, dispatcher, send, messageOf } = setup();
    const message = await send(ALICE, 'a_one');
    db.prepare('UPDATE messages SET content = ? WHERE id = ?').run(JSON.stringify({ type: 'location', latitude: 32.08, longitude: 34.78 }), message.id);
    await dispatcher.start();
    await settle();
    expect(provider.sends).toHaveLength(0);
    const failed = await messageOf(message);
    expect(failed.status).toBe('failed');
    expect(failed.failure?.message).toBe('messages of type location cannot be sent');
    expect(await store.pendingJobCount()).toBe(0);
  });

  it('on stop, waits a bounded time for a send in flight and leaves it for the next start to reconcile', async () => {
    const provider = new RecordingProvider();
    let answer: (outcome: SendOutcome) => void = () => {};
    provider.sendMessage = (sendRequest) => {
      provider.sends.push(sendRequest);
      return new Promise((resolve) => (answer = resolve));
    };
    const { clock, store, dispatcher, send } = setup({ provider });
    await send(ALICE, 'a_one');
    await dispatcher.start();
    await settle();
    expect(provider.sends).toHaveLength(1);
    let stopped = false;
    void dispatcher.stop(2_000).then(() => (stopped = true));
    await pass(clock, 1_999);
    expect(stopped).toBe(false);
    await pass(clock, 1);
    expect(stopped).toBe(true);
    answer({ kind: 'accepted', wamid: 'wamid.late' }); // after stop: nothing is recorded
    await settle();
    expect(await store.recoverInFlight(clock.wallNow(), GRACE)).toBe(1);
  });
  it('among several instances, sends only for the numbers it leads; taking one over holds its in-flight sends for the grace', async () => {
    let led: string[] = [];
    const { clock, store, provider, dispatcher, send } = setup({ leadership: { numbers: () => led } });
    const interrupted = await send(ALICE, 'a_one');
    await send(BEN, 'b_one');
    // The instance that led the number died mid-send: its job is still marked in flight.
    expect(await store.markInFlight(interrupted.id, clock.wallNow())).toBe(true);
    await dispatcher.start();
    await pass(clock, 2_000);
    expect(provider.sends).toHaveLength(0); // another instance leads the number
    led = [OUR_NUMBER];
    await dispatcher.takeOver(OUR_NUMBER);
    await settle();
    expect(templateNames(provider.sends, BEN)).toEqual(['b_one']);
    expect(templateNames(provider.sends, ALICE)).toEqual([]);
    await pass(clock, GRACE - 100);
    expect(templateNames(provider.sends, ALICE)).toEqual([]);
    await pass(clock, 1_100); // the grace, and the dispatcher's next idle look
    expect(templateNames(provider.sends, ALICE)).toEqual(['a_one']);
  });
});
