// The bench's result rows: printed as a table and written to bench/results/latest.json with the same text.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Spread } from './stats';

export interface Row {
  id: string;
  scenario: string;
  figure: string;
  baseline: string;
  ratio: string;
  goal: string;
  /** The numbers behind the text (medians, mins, maxes, runs), for tools. */
  data?: Record<string, unknown>;
}

const group = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** "7,036 msg/s (min 6,900, max 7,100; 3 runs)". */
export function fmtSpread(s: Spread, unit: string, digits = 0): string {
  const u = unit === '' ? '' : ` ${unit}`;
  if (s.runs === 1) return `${group(s.median, digits)}${u} (1 run)`;
  return `${group(s.median, digits)}${u} (min ${group(s.min, digits)}, max ${group(s.max, digits)}; ${s.runs} runs)`;
}

export function fmt(n: number, digits = 0): string {
  return group(n, digits);
}

export function fmtRatio(ratio: number, meaning: string): string {
  return `${ratio.toFixed(2)}× ${meaning}`;
}

export function notMeasured(id: string, scenario: string, goal: string, reason: string): Row {
  return { id, scenario, figure: `not measured: ${reason}`, baseline: '—', ratio: '—', goal };
}

export function printTable(rows: readonly Row[]): string {
  const headers = ['#', 'scenario', 'figure (median, min, max)', 'baseline (same run)', 'ratio', 'goal'];
  const cells = rows.map((r) => [r.id, r.scenario, r.figure, r.baseline, r.ratio, r.goal]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export function writeResults(
  file: string,
  content: { mode: string; machine: unknown; startedAt: string; durationS: number; rows: readonly Row[]; notes: readonly string[] },
): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
