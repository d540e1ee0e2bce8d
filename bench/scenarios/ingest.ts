// Scenario 1: relay → socket → console commit → ack of N inbound messages, with the console's RSS after each run.
import path from 'node:path';
import { nowMs } from '../lib/clock';
import type { BenchConfig } from '../lib/config';
import { startStack } from '../lib/stack';

export interface IngestRun {
  msgPerS: number;
  ms: number;
  events: number;
  /** Share of the wall time the console spent inside LocalStore.applyEvents. */
  commitShare: number;
  /** How fast the relay's store took the same messages (written before the clock starts). */
  relayWritePerS: number;
  consoleRssMb: number;
  /** The console's resident memory by kind, after the ingest. */
  memory: { anonMb: number; fileMb: number; heapTotalMb: number; heapUsedMb: number };
  /** Commit cost per event in the first and the last tenth of the batches (µs). */
  commitUsPerEvent: { first: number; last: number };
}

/** Microseconds per event over a slice of the commit log. */
function usPerEvent(log: { events: number; ms: number }[]): number {
  const events = log.reduce((s, c) => s + c.events, 0);
  return events === 0 ? 0 : (1000 * log.reduce((s, c) => s + c.ms, 0)) / events;
}

export async function ingestRun(cfg: BenchConfig, run: number, framesFile: string | null): Promise<IngestRun> {
  const stack = await startStack('ingest');
  try {
    const generated = await stack.relay.call<{ messages: number; head: number; ms: number }>(
      'generate',
      { messages: cfg.ingestMessages, tag: `i${run}` },
      600_000,
    );
    await stack.console.call('resetStats');
    // The console is live and idle; one webhook wakes the relay's session, which then streams the whole backlog.
    const started = nowMs();
    await stack.relay.call('kick');
    const acked = await stack.console.call<{ commitMs: number }>('waitAcked', { seq: generated.head, timeoutMs: 900_000 }, 910_000);
    const ms = nowMs() - started;
    const memory = await stack.console.call<{ rss: number; anonMb: number; fileMb: number; heapTotal: number; heapUsed: number }>('memoryDetail');
    const log = await stack.console.call<{ events: number; ms: number }[]>('commitLog');
    const tenth = Math.max(1, Math.floor(log.length / 10));
    if (framesFile !== null) await stack.relay.call('exportFrames', { file: framesFile }, 120_000);
    return {
      msgPerS: generated.messages / (ms / 1000),
      ms,
      events: generated.head,
      commitShare: acked.commitMs / ms,
      relayWritePerS: generated.messages / (generated.ms / 1000),
      consoleRssMb: memory.rss / 2 ** 20,
      memory: { anonMb: memory.anonMb, fileMb: memory.fileMb, heapTotalMb: memory.heapTotal / 2 ** 20, heapUsedMb: memory.heapUsed / 2 ** 20 },
      commitUsPerEvent: { first: usPerEvent(log.slice(0, tenth)), last: usPerEvent(log.slice(-tenth)) },
    };
  } finally {
    await stack.close();
  }
}

export function framesPath(dir: string): string {
  return path.join(dir, 'ingest-frames.jsonl');
}
