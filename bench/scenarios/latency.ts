// Scenario 2: paced signed webhooks → the console core's change event for each message, with the phases in between.
import WebSocket from 'ws';
import { startChild, type BenchChild } from '../lib/child';
import { nowMs, sleep } from '../lib/clock';
import { clockOffset } from '../lib/clock-offset';
import type { BenchConfig } from '../lib/config';
import { customerWaId } from '../lib/generate';
import { latencySummary } from '../lib/stats';
import { inboundBody, postWebhook } from '../lib/webhook';
import { startStack } from '../lib/stack';

export interface LatencyStats {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export interface LatencyRun {
  /** POST sent → the console emitted messages.changed for it. */
  changed: LatencyStats;
  /** POST sent → the console committed the event to SQLite. */
  committed: LatencyStats;
  /** POST sent → the relay answered 200 (committed on the relay). */
  relay: LatencyStats;
  /** Committed in the console → its change event emitted (the service's coalescing window). */
  coalesce: LatencyStats;
  offsetMs: number;
  lost: number;
  /** Webhooks that got no 200 (refused or reset); only a target with `tolerateFailures` gets here without throwing. */
  failed: number;
}

/** Calls `fire(i)` at `perSecond` for `seconds`, on an absolute schedule (no drift), without waiting for each call. */
async function paced(perSecond: number, seconds: number, fire: (i: number) => void): Promise<number> {
  const total = perSecond * seconds;
  const start = nowMs();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    fire(i);
  }
  return total;
}

/** One stack, one warm-up, then `runs` measured windows of paced traffic a second apart. */
export async function latencyRuns(cfg: BenchConfig, runs: number): Promise<LatencyRun[]> {
  const stack = await startStack('latency');
  try {
    return await pacedLatencyRuns({ console: stack.console, webhookUrls: [stack.relayUrl] }, cfg, runs);
  } finally {
    await stack.close();
  }
}

/** Where paced webhooks go (round robin over `webhookUrls`, several relay instances in the relay section) and which console sees them. */
export interface LatencyTarget {
  console: BenchChild;
  webhookUrls: readonly string[];
  /** Count webhooks that fail instead of aborting: the relay section drives relays past what they sustain. */
  tolerateFailures?: boolean;
}

/** One warm-up, then `runs` measured windows of paced traffic a second apart, against a live console. */
export async function pacedLatencyRuns(target: LatencyTarget, cfg: BenchConfig, runs: number): Promise<LatencyRun[]> {
  const { offsetMs } = await clockOffset(target.console);
  const url = (i: number) => target.webhookUrls[i % target.webhookUrls.length]!;
  // Warm-up, not measured: one second of the same traffic (first conversations, JIT), then a pause.
  const warm: Promise<void>[] = [];
  await paced(cfg.latencyPerSecond, 1, (i) => {
    warm.push(
      postWebhook(url(i), inboundBody({ wamid: `wamid.warm-${i}`, from: customerWaId(500 + (i % 20)), name: `Latency ${i % 20}`, text: `warm-${i} hello` })),
    );
  });
  await Promise.all(warm);
  await sleep(500);
  await target.console.call('track', { prefix: 'lat-' });
  const results: LatencyRun[] = [];
  for (let run = 1; run <= runs; run++) {
    results.push(await measuredWindow(target, cfg, run, offsetMs));
    await sleep(1_000);
  }
  return results;
}

async function measuredWindow(target: LatencyTarget, cfg: BenchConfig, run: number, offsetMs: number): Promise<LatencyRun> {
  const sentAt = new Map<string, number>();
  const relayAt = new Map<string, number>();
  const seen = new Map<string, { committedAt: number | null; changedAt: number }>();
  const off = target.console.onEvent((event) => {
    if (event.type !== 'seen') return;
    for (const s of event['seen'] as { key: string; committedAt: number | null; changedAt: number }[]) if (!seen.has(s.key)) seen.set(s.key, s);
  });
  const failures: string[] = [];
  const total = await paced(cfg.latencyPerSecond, cfg.latencySeconds, (i) => {
    const key = `lat-${run}-${i}`;
    const body = inboundBody({ wamid: `wamid.${key}`, from: customerWaId(500 + (i % 20)), name: `Latency ${i % 20}`, text: `${key} hello, is my card ready` });
    sentAt.set(key, nowMs());
    postWebhook(target.webhookUrls[i % target.webhookUrls.length]!, body).then(
      () => relayAt.set(key, nowMs()),
      (error: unknown) => failures.push(String(error)),
    );
  });
  const deadline = nowMs() + 15_000;
  const tolerate = target.tolerateFailures === true;
  while (seen.size + failures.length < total && nowMs() < deadline && (tolerate || failures.length === 0)) await sleep(20);
  off();
  if (failures.length > 0 && !tolerate) throw new Error(`webhook failed: ${failures[0]}`);
  const changed: number[] = [];
  const committed: number[] = [];
  const relay: number[] = [];
  const coalesce: number[] = [];
  for (const [key, sent] of sentAt) {
    const s = seen.get(key);
    if (s !== undefined) {
      changed.push(s.changedAt - offsetMs - sent);
      if (s.committedAt !== null) {
        committed.push(s.committedAt - offsetMs - sent);
        coalesce.push(s.changedAt - s.committedAt);
      }
    }
    const r = relayAt.get(key);
    if (r !== undefined) relay.push(r - sent);
  }
  return {
    changed: latencySummary(changed),
    committed: latencySummary(committed),
    relay: latencySummary(relay),
    coalesce: latencySummary(coalesce),
    offsetMs,
    lost: total - seen.size,
    failed: failures.length,
  };
}

/** The baseline: round trips of a small text frame over loopback `ws` to an echo server in another process, at the same pace. */
export async function wsRoundTripRuns(cfg: BenchConfig, runs: number, seconds: number): Promise<LatencyStats[]> {
  let server: BenchChild | null = null;
  try {
    server = startChild('ws-echo', 'bench/procs/ws-source.ts', []);
    const ready = await server.next('ready', 30_000);
    const results: LatencyStats[] = [];
    for (let run = 0; run < runs; run++) results.push(await wsRoundTripRun(`ws://127.0.0.1:${String(ready['port'])}`, cfg.latencyPerSecond, seconds));
    return results;
  } finally {
    await server?.stop();
  }
}

async function wsRoundTripRun(url: string, perSecond: number, seconds: number): Promise<LatencyStats> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const sent = new Map<string, number>();
  const rtts: number[] = [];
  ws.on('message', (data: Buffer) => {
    const at = nowMs();
    const t = sent.get(data.toString());
    if (t !== undefined) rtts.push(at - t);
  });
  const total = await paced(perSecond, seconds, (i) => {
    const key = `ping-${i}`;
    sent.set(key, nowMs());
    ws.send(key);
  });
  const deadline = nowMs() + 5_000;
  while (rtts.length < total && nowMs() < deadline) await sleep(10);
  ws.terminate();
  return latencySummary(rtts);
}
