// Scenario 1's baselines over the very frames the relay sent: raw `ws` throughput, and raw better-sqlite3 inserts of their rows.
import { startChild, stopAll, type BenchChild } from '../lib/child';
import type { FrameFile } from '../lib/frames';

/** Messages per second a bare `ws` client receives the frames at (no parsing, no acks). */
export async function rawWsRuns(framesFile: string, info: FrameFile, runs: number): Promise<number[]> {
  let source: BenchChild | null = null;
  let sink: BenchChild | null = null;
  try {
    source = startChild('ws-source', 'bench/procs/ws-source.ts', ['--frames', framesFile]);
    const ready = await source.next('ready', 30_000);
    sink = startChild('ws-sink', 'bench/procs/ws-sink.ts', []);
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await sink.call<{ ms: number }>('run', { url: `ws://127.0.0.1:${String(ready['port'])}`, frames: info.frames }, 120_000);
      rates.push(info.messages / (result.ms / 1000));
    }
    return rates;
  } finally {
    await stopAll(sink, source);
  }
}

/** Messages per second better-sqlite3 inserts the frames' message and conversation rows at, one transaction per frame. */
export async function rawSqliteRuns(framesFile: string, runs: number): Promise<number[]> {
  const child = startChild('sqlite-insert', 'bench/procs/sqlite-insert.ts', ['--frames', framesFile]);
  try {
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await child.call<{ ms: number; messages: number }>('run', {}, 300_000);
      rates.push(result.messages / (result.ms / 1000));
    }
    return rates;
  } finally {
    await child.stop();
  }
}

/** RSS of a process started like the console host (node + tsx loader) with nothing else loaded. */
export async function idleRssMb(): Promise<number> {
  const child = startChild('idle', 'bench/procs/idle.ts', []);
  try {
    await child.next('ready', 30_000);
    return await child.call<number>('rssMb');
  } finally {
    await child.stop();
  }
}
