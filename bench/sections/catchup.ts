// Scenario 4: resume catch-up after a disconnect, and the same through Socket.IO's connection state recovery (5b).
import type { BenchConfig } from '../lib/config';
import { spread } from '../lib/stats';
import { fmt, fmtRatio, fmtSpread, type Row } from '../lib/table';
import { catchupRun, type CatchupRun } from '../scenarios/catchup';
import { peerCatchupRun } from '../scenarios/peer';
import { verdict, type Progress, type Section } from './section';

export async function catchupSection(cfg: BenchConfig, progress: Progress): Promise<Section> {
  const ours: CatchupRun[] = [];
  const io: { ms: number; recovered: boolean }[] = [];
  for (let run = 1; run <= cfg.runs; run++) {
    ours.push(await catchupRun(cfg.catchupEvents, run));
    io.push(await peerCatchupRun(cfg.catchupEvents, run));
    progress(`catch-up run ${run}/${cfg.runs}: ${fmt(ours.at(-1)!.ms)} ms (Socket.IO ${fmt(io.at(-1)!.ms)} ms)`);
  }
  const n = fmt(cfg.catchupEvents);
  const time = spread(ours.map((r) => r.ms));
  const ioTime = spread(io.map((r) => r.ms));
  const commit = spread(ours.map((r) => r.commitShare * 100));
  const hello = spread(ours.map((r) => r.helloMs));
  const rows: Row[] = [
    {
      id: '4',
      scenario: `resume catch-up of ${n} events after reconnect`,
      figure: fmtSpread(time, 'ms'),
      baseline: '—',
      ratio: '—',
      goal: `≤ 1 s for 20,000 events: ${cfg.catchupEvents === 20_000 ? verdict(time.median <= 1_000) : 'n/a at this size'}`,
      data: { time, commitSharePct: commit, helloMs: hello },
    },
    {
      id: '5b',
      scenario: `peer: catch-up of ${n} events, Socket.IO state recovery`,
      figure: `ours ${fmtSpread(time, 'ms')}`,
      baseline: `Socket.IO ${fmtSpread(ioTime, 'ms')}`,
      ratio: fmtRatio(time.median / ioTime.median, 'Socket.IO time (lower is better)'),
      goal: `ahead of Socket.IO: ${verdict(time.median < ioTime.median)}`,
      data: { ours: time, socketIo: ioTime, recovered: io.map((r) => r.recovered) },
    },
  ];
  const notes = [
    `4: the hello arrived ${fmt(hello.median, 1)} ms after reconnecting; the console spent ${fmt(commit.median)} % of the catch-up inside LocalStore.applyEvents. Socket.IO recovered its session in ${io.filter((r) => r.recovered).length} of ${io.length} runs (its recovery replays only packets emitted without an ack, from the server's memory; ours replays from the relay's SQLite log).`,
  ];
  return { rows, notes };
}
