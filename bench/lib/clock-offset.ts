// How far another bench process's nowMs() is from ours: the sample with the shortest IPC round trip wins.
import type { BenchChild } from './child';
import { nowMs } from './clock';

export async function clockOffset(child: BenchChild, samples = 20): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < samples; i++) {
    const before = nowMs();
    const theirs = await child.call<number>('now');
    const after = nowMs();
    if (after - before < best.rttMs) best = { offsetMs: theirs - (before + after) / 2, rttMs: after - before };
  }
  return best;
}
