// Scenario 6: the console's UI in Chromium over a large seeded cache; each figure reports "not measured" on its own.
import type { BenchConfig } from '../lib/config';
import { spread } from '../lib/stats';
import { fmt, fmtSpread, notMeasured, type Row } from '../lib/table';
import { uiScenario, type ListPhases, type Measured, type UiRun } from '../scenarios/ui';
import { verdict, type Progress, type Section } from './section';

function measuredRow<T>(
  id: string,
  scenario: string,
  goal: { text: string; met: (values: number[]) => boolean } | null,
  runs: Measured<T>[],
  value: (v: T) => number,
  unit: string,
  digits = 0,
): Row {
  const failed = runs.find((r): r is { ok: false; reason: string } => !r.ok);
  if (failed !== undefined) return notMeasured(id, scenario, goal === null ? '—' : `${goal.text}: not measured`, failed.reason);
  const values = runs.map((r) => value((r as { ok: true; value: T }).value));
  const s = spread(values);
  return {
    id,
    scenario,
    figure: fmtSpread(s, unit, digits),
    baseline: '—',
    ratio: '—',
    goal: goal === null ? '—' : `${goal.text}: ${verdict(goal.met(values))}`,
    data: { spread: s },
  };
}

export async function uiSection(cfg: BenchConfig, progress: Progress): Promise<Section> {
  const outcome = await uiScenario(cfg);
  const big = `${fmt(cfg.uiBigMessages)} msgs`;
  if (!outcome.ok) {
    return {
      rows: [
        notMeasured('6a', 'UI: first conversation list render', '≤ 300 ms: not measured', outcome.reason),
        notMeasured('6b', `UI: open the conversation of ${big}`, '≤ 150 ms: not measured', outcome.reason),
        notMeasured('6c', 'UI: load older history on scroll up', '—', outcome.reason),
        notMeasured('6d', `UI: long tasks > 50 ms, burst of ${cfg.uiBurst}`, 'none: not measured', outcome.reason),
        notMeasured('6e', 'UI: JS heap after the burst', '—', outcome.reason),
      ],
      notes: [],
    };
  }
  const runs: UiRun[] = outcome.runs;
  progress(`UI: ${runs.length} run(s) done`);
  const median = (values: number[]) => spread(values).median;
  const rows: Row[] = [
    measuredRow(
      '6a',
      `UI: first conversation list render (${fmt(cfg.uiConversations)} conversations)`,
      { text: '≤ 300 ms', met: (v) => median(v) <= 300 },
      runs.map((r) => r.firstListMs),
      (v) => v,
      'ms',
    ),
    measuredRow(
      '6b',
      `UI: open the conversation of ${big}`,
      { text: '≤ 150 ms', met: (v) => median(v) <= 150 },
      runs.map((r) => r.openMs),
      (v) => v,
      'ms',
    ),
    measuredRow(
      '6c',
      'UI: load older history on scroll up',
      null,
      runs.map((r) => r.olderMs),
      (v) => v,
      'ms',
    ),
    measuredRow(
      '6d',
      `UI: long tasks > 50 ms, burst of ${cfg.uiBurst} inbound`,
      { text: 'none', met: (v) => Math.max(...v) === 0 },
      runs.map((r) => r.burst),
      (v) => v.count,
      'long tasks',
    ),
    measuredRow(
      '6e',
      'UI: longest task during the burst',
      null,
      runs.map((r) => r.burst),
      (v) => v.maxMs,
      'ms',
    ),
    measuredRow(
      '6f',
      'UI: JS heap used after the burst',
      null,
      runs.map((r) => r.heapMb),
      (v) => v,
      'MB',
      1,
    ),
  ];
  const bursts = runs.flatMap((r) => (r.burst.ok ? [r.burst.value] : []));
  const phases = runs.flatMap((r) => (r.listPhases === null ? [] : [r.listPhases]));
  const phase = (pick: (p: ListPhases) => number | null) => {
    const values = phases.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? 'n/a' : fmt(spread(values).median);
  };
  const notes = [
    `6: first list render, phases (medians, ms from navigation start): DOMContentLoaded ${phase((p) => p.domContentLoaded)}, bridge WebSocket created ${phase((p) => p.bridgeCreated)} and open ${phase((p) => p.bridgeOpen)}, conversations.list sent ${phase((p) => p.listSent)}, answered ${phase((p) => p.listAnswered)}, first row in the DOM ${phase((p) => p.firstRow)}.`,
    `6: cache seeded through LocalStore.applySnapshot with ${fmt(outcome.seed.conversations)} conversations and ${fmt(outcome.seed.messages)} messages (the same data on the relay, so ids match); the page is a fresh browser context per run at 1280×800. First list render: navigation start → first row in the list named "Conversations". Open and older history: click / scroll → the bridge's messages.page answered → next frame painted. The burst sends single-message webhooks 10 at a time, every other one to the open conversation${bursts.length > 0 ? `; it took ${bursts.map((b) => `${fmt(b.seconds, 1)} s`).join(', ')}${bursts.every((b) => b.arrived) ? '' : ' (the last message did not appear in every run)'}` : ''}.`,
  ];
  return { rows, notes };
}
