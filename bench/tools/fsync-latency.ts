// How long a durable commit's fsync takes on this disk (the relay commits with synchronous=FULL): p50, p99, max of
// 500 appends of 4 KiB each followed by fdatasync, in the OS temp folder (where the bench keeps its databases).
//   npx tsx bench/tools/fsync-latency.ts
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { latencySummary } from '../lib/stats';

const dir = mkdtempSync(path.join(tmpdir(), 'branchline-fsync-'));
const fd = openSync(path.join(dir, 'wal'), 'a');
try {
  const page = Buffer.alloc(4096, 7);
  const samples: number[] = [];
  for (let i = 0; i < 500; i++) {
    writeSync(fd, page);
    const started = performance.now();
    fdatasyncSync(fd);
    samples.push(performance.now() - started);
  }
  const s = latencySummary(samples);
  console.log(`fdatasync after a 4 KiB append: p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(2)} ms (${s.count} samples)`);
} finally {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
}
