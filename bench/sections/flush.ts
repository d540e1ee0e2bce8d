// Scenario 3: the offline outbox flushed when the relay comes back, verified against fake WhatsApp's ledger.
import type { BenchConfig } from '../lib/config';
import { spread } from '../lib/stats';
import { fmt, fmtSpread, type Row } from '../lib/table';
import { flushRun, type FlushRun } from '../scenarios/flush';
import { verdict, type Progress, type Section } from './section';

export async function flushSection(cfg: BenchConfig, progress: Progress): Promise<Section> {
  const runs: FlushRun[] = [];
  for (let run = 1; run <= cfg.flushRuns; run++) {
    const r = await flushRun(cfg.flushMessages, cfg.flushTimeoutMs);
    runs.push(r);
    progress(
      `flush run ${run}/${cfg.flushRuns}: ${r.ms !== null ? `${fmt(r.ms / 1000, 2)} s` : `unfinished, ${r.accepted}/${r.messages} accepted${r.stall !== null ? ', stalled' : ''}`}`,
    );
  }
  const n = fmt(cfg.flushMessages);
  const finished = runs.filter((r) => r.ms !== null);
  const stalled = runs.filter((r) => r.stall !== null);
  const accepted = spread(runs.map((r) => r.accepted));
  const checks = `in order: ${runs.every((r) => r.verified.inOrder) ? 'yes' : 'NO'}, duplicates: ${runs.reduce((s, r) => s + r.verified.duplicates, 0)}`;
  let figure: string;
  if (finished.length === runs.length) figure = `${fmtSpread(spread(runs.map((r) => r.ms! / 1000)), 's', 2)}; ${checks}`;
  else {
    const why = stalled.length > 0 ? `the outbox stalled in ${stalled.length} (messages due, none in flight)` : '';
    const late = runs.length - finished.length - stalled.length;
    const limit = late > 0 ? `${late} hit the ${fmt(cfg.flushTimeoutMs / 1000)} s limit` : '';
    figure = `unfinished in ${runs.length - finished.length} of ${runs.length} runs: fake WhatsApp got ${fmtSpread(accepted, `of ${n}`)}; ${[why, limit].filter((t) => t !== '').join(', ')}; ${checks}`;
  }
  const rates = runs.filter((r) => r.lastProgressMs > 0).map((r) => r.accepted / (r.lastProgressMs / 1000));
  const rows: Row[] = [
    {
      id: '3',
      scenario: `outbox flush ${n} msgs after relay restart → fake WhatsApp`,
      figure,
      baseline: '—',
      ratio: '—',
      goal: `≤ 2 s: ${verdict(finished.length === runs.length && spread(runs.map((r) => r.ms!)).median <= 2_000)}`,
      data: { runs },
    },
    {
      id: '3a',
      scenario: 'phase: send rate while progressing; rate_limited answers',
      figure: rates.length > 0 ? `${fmtSpread(spread(rates), 'msg/s')}; ${fmtSpread(spread(runs.map((r) => r.rateLimited)), 'rate_limited')}` : 'no progress',
      baseline: '—',
      ratio: '—',
      goal: '—',
    },
  ];
  const notes = [
    ...stalled.map(
      (r, i) =>
        `3: stalled run ${i + 1}: ${fmt(r.accepted)} of ${n} in fake WhatsApp, ${fmt(r.stall!.queued)} still queued in the console, its next message due ${fmt(r.stall!.overdueMs / 1000, 1)} s before the bench gave up ${fmt(r.stall!.atMs / 1000, 1)} s after the relay started, no messages.send in flight.`,
    ),
    `3: 50 customers write first (open 24-hour windows); the relay stops; the agent queues ${n} replies through messages.sendText; the relay restarts on the same port and the console is told the network is back (its backoff wait is skipped). Timed from the relay listening to the last message in fake WhatsApp's ledger (GET /sandbox/outbound per customer verifies order and duplicates). A run counts as stalled when the console's next outbox message has been due for over 3 s, no messages.send is in flight, and nothing moves.`,
  ];
  return { rows, notes };
}
