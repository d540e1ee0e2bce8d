// Scenario 2: webhook → console change event, with its phases, against the loopback `ws` round trip.
import type { BenchConfig } from '../lib/config';
import { spread, type Spread } from '../lib/stats';
import { fmt, fmtRatio, type Row } from '../lib/table';
import { latencyRuns, wsRoundTripRuns, type LatencyRun, type LatencyStats } from '../scenarios/latency';
import { verdict, type Progress, type Section } from './section';

interface Summary {
  p50: Spread;
  p99: Spread;
  max: Spread;
}

/** The round-trip baseline is paced like the webhooks, for 3 s a run (600 samples at 200/s; 2 s in --quick). */
const RTT_SECONDS = 3;

const summarize = (runs: LatencyStats[]): Summary => ({
  p50: spread(runs.map((r) => r.p50)),
  p99: spread(runs.map((r) => r.p99)),
  max: spread(runs.map((r) => r.max)),
});

/** "p50 28.6 / p99 59.4 / max 122.7 ms (p99 min 55.0, max 64.0; 3 runs)". */
const text = (s: Summary) =>
  `p50 ${fmt(s.p50.median, 1)} / p99 ${fmt(s.p99.median, 1)} / max ${fmt(s.max.median, 1)} ms` +
  (s.p99.runs > 1 ? ` (p99 min ${fmt(s.p99.min, 1)}, max ${fmt(s.p99.max, 1)}; ${s.p99.runs} runs)` : ' (1 run)');

export async function latencySection(cfg: BenchConfig, progress: Progress): Promise<Section> {
  const runs: LatencyRun[] = await latencyRuns(cfg, cfg.runs);
  progress(`latency p99 ${runs.map((r) => fmt(r.changed.p99, 1)).join(', ')} ms`);
  const rttSeconds = Math.min(RTT_SECONDS, cfg.latencySeconds - 1);
  const rtt = await wsRoundTripRuns(cfg, cfg.runs, rttSeconds);
  progress(`ws round trip p99 ${rtt.map((r) => fmt(r.p99, 2)).join(', ')} ms`);
  const changed = summarize(runs.map((r) => r.changed));
  const committed = summarize(runs.map((r) => r.committed));
  const relay = summarize(runs.map((r) => r.relay));
  const coalesce = summarize(runs.map((r) => r.coalesce));
  const ws = summarize(rtt);
  const lost = runs.reduce((sum, r) => sum + r.lost, 0);
  const paced = `${cfg.latencyPerSecond}/s for ${cfg.latencySeconds} s`;
  const rows: Row[] = [
    {
      id: '2',
      scenario: `webhook POST → console change event, ${paced}`,
      figure: text(changed),
      baseline: `ws round trip, ${cfg.latencyPerSecond}/s for ${rttSeconds} s: ${text(ws)}`,
      ratio: fmtRatio(changed.p99.median / ws.p99.median, 'ws p99 (lower is better)'),
      goal: `p99 ≤ 10 ms: ${verdict(changed.p99.median <= 10)}`,
      data: { changed, ws, lost, offsetsMs: runs.map((r) => r.offsetMs) },
    },
    {
      id: '2a',
      scenario: 'phase: webhook POST → committed in console SQLite',
      figure: text(committed),
      baseline: '—',
      ratio: '—',
      goal: '—',
      data: { committed },
    },
    { id: '2b', scenario: 'phase: webhook POST → relay answered 200 (committed)', figure: text(relay), baseline: '—', ratio: '—', goal: '—', data: { relay } },
    {
      id: '2c',
      scenario: 'phase: console commit → change event (coalescing)',
      figure: text(coalesce),
      baseline: '—',
      ratio: '—',
      goal: '—',
      data: { coalesce },
    },
  ];
  const notes = [
    `2: ${lost} of ${runs.length * cfg.latencyPerSecond * cfg.latencySeconds} paced messages never produced a change event. The runs are ${cfg.latencySeconds}-s windows over one relay and console, after 1 s of unmeasured warm-up traffic. Console times are read on the console's clock (performance.timeOrigin + now(); IPC offset measured at ${runs.map((r) => fmt(r.offsetMs, 3)).join(', ')} ms).`,
  ];
  return { rows, notes };
}
