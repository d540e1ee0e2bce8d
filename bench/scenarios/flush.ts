// Scenario 3: messages queued in the console while the relay is down; the relay starts; time until fake WhatsApp has all of them.
import path from 'node:path';
import { generateAgentToken } from '../../src/relay/agent-tokens';
import { rmSync } from 'node:fs';
import { stopAll, type BenchChild } from '../lib/child';
import { nowMs, sleep } from '../lib/clock';
import { freePort } from '../lib/free-port';
import { customerWaId } from '../lib/generate';
import { startConsoleHost, startRelayHost, tempDir } from '../lib/stack';
import { inboundBody, postWebhook } from '../lib/webhook';

const CUSTOMERS = 50;
/** The outbox counts as stalled when nothing is in flight, its next message has been due this long, and nothing moves. */
const STALL_OVERDUE_MS = 3_000;

export interface FlushRun {
  messages: number;
  /** Relay ready → fake WhatsApp accepted every message; null if it did not within the time limit. */
  ms: number | null;
  accepted: number;
  /** Relay ready → the last time fake WhatsApp's count grew. */
  lastProgressMs: number;
  /** Relay ready → the console's outbox was empty (the relay took them all). */
  outboxEmptyMs: number | null;
  rateLimited: number;
  /** Set when the console's outbox stopped: messages overdue, no send in flight, nothing moving. */
  stall: { atMs: number; queued: number; overdueMs: number } | null;
  verified: { inOrder: boolean; duplicates: number; missing: number };
}

interface OutboundEntry {
  wamid: string;
  text?: string;
}

async function verify(relayUrl: string, waIds: readonly string[]): Promise<FlushRun['verified']> {
  let inOrder = true;
  let duplicates = 0;
  const bodies = new Set<string>();
  for (const to of waIds) {
    const response = await fetch(`${relayUrl}/sandbox/outbound?to=${to}`, { signal: AbortSignal.timeout(10_000) });
    const { messages } = (await response.json()) as { messages: OutboundEntry[] };
    let last = -1;
    for (const m of messages) {
      const n = Number(/^flush-(\d+)$/.exec(m.text ?? '')?.[1] ?? Number.NaN);
      if (Number.isNaN(n)) continue;
      if (bodies.has(m.text!)) duplicates += 1;
      bodies.add(m.text!);
      if (n <= last) inOrder = false;
      last = n;
    }
  }
  return { inOrder, duplicates, missing: -bodies.size };
}

export async function flushRun(messages: number, timeoutMs: number): Promise<FlushRun> {
  const dir = tempDir('flush');
  const port = await freePort();
  const token = generateAgentToken();
  let relay: BenchChild | null = null;
  let console: BenchChild | null = null;
  try {
    // Customers write first, so each conversation's 24-hour window is open; the console syncs them.
    ({ relay } = await startRelayHost(path.join(dir, 'relay'), { port, token, label: 'flush-first' }));
    const relayUrl = `http://127.0.0.1:${port}`;
    console = startConsoleHost(path.join(dir, 'console'), relayUrl, token, 'flush-console');
    await console.next('ready', 30_000);
    await console.call('waitLive', { timeoutMs: 30_000 }, 40_000);
    for (let c = 0; c < CUSTOMERS; c++) {
      await postWebhook(
        relayUrl,
        inboundBody({ wamid: `wamid.flush-hello-${c}`, from: customerWaId(9000 + c), name: `Flush ${c}`, text: 'Hello, I will wait for your answer.' }),
      );
    }
    const head = await relay.call<number>('head');
    await console.call('waitAcked', { seq: head, timeoutMs: 30_000 }, 40_000);

    // The relay goes away; the agent keeps answering.
    await relay.stop();
    relay = null;
    const queued = await console.call<{ waIds: string[]; queued: number }>('queueText', { count: messages }, 600_000);
    if (queued.queued !== messages) throw new Error(`expected ${messages} queued, found ${queued.queued}`);

    ({ relay } = await startRelayHost(path.join(dir, 'relay'), { port, token, label: 'flush' }));
    const started = nowMs();
    // As when the OS reports the network back: the console skips its backoff wait.
    await console.call('networkBack');
    let accepted = 0;
    let outboxEmptyMs: number | null = null;
    let stall: FlushRun['stall'] = null;
    let lastChange = { accepted: -1, queued: -1 };
    let lastProgressMs = 0;
    let state = { queued: messages, dueInMs: null as number | null, sendsInFlight: 0, rateLimited: 0 };
    while (nowMs() - started < timeoutMs) {
      accepted = await relay.call<number>('outboundTotal', { to: queued.waIds });
      state = await console.call<typeof state>('outboxState');
      if (state.queued === 0 && outboxEmptyMs === null) outboxEmptyMs = nowMs() - started;
      if (accepted >= messages) break;
      const moved = accepted !== lastChange.accepted || state.queued !== lastChange.queued;
      if (accepted !== lastChange.accepted) lastProgressMs = nowMs() - started;
      lastChange = { accepted, queued: state.queued };
      if (!moved && state.sendsInFlight === 0 && state.queued > 0 && state.dueInMs !== null && state.dueInMs < -STALL_OVERDUE_MS) {
        stall = { atMs: nowMs() - started, queued: state.queued, overdueMs: -state.dueInMs };
        break;
      }
      await sleep(100);
    }
    const ms = accepted >= messages ? nowMs() - started : null;
    const verified = await verify(relayUrl, queued.waIds);
    verified.missing += messages;
    return { messages, ms, accepted, lastProgressMs, outboxEmptyMs, rateLimited: state.rateLimited, stall, verified };
  } finally {
    await stopAll(console, relay);
    rmSync(dir, { recursive: true, force: true });
  }
}
