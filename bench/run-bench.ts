// `npm run bench [-- --quick] [--only ingest,latency,catchup,flush,ui,soak,relay] [--profile DIR]`: every scenario on
// 127.0.0.1 with real processes, a table, and bench/results/latest.json (a partial run writes bench/results/partial.json).
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/child';
import { benchConfig } from './lib/config';
import { machine } from './lib/machine';
import { setProfileDir } from './lib/profiling';
import { printTable, writeResults, type Row } from './lib/table';
import { catchupSection } from './sections/catchup';
import { flushSection } from './sections/flush';
import { latencySection } from './sections/latency';
import { relaySection } from './sections/relay';
import type { Progress, Section } from './sections/section';
import { soakSection } from './sections/soak';
import { throughputSection } from './sections/throughput';
import { uiSection } from './sections/ui';

const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const cfg = benchConfig(process.argv.includes('--quick'));
const only = option('only')?.split(',') ?? null;
setProfileDir(option('profile') ?? null);
const started = Date.now();
const progress: Progress = (line) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const all: { key: string; name: string; ids: string[]; run: (p: Progress) => Promise<Section> }[] = [
  { key: 'ingest', name: 'ingest, baselines, Socket.IO ingest, RSS after ingest', ids: ['1', '5a', '7a'], run: (p) => throughputSection(cfg, p) },
  { key: 'latency', name: 'latency', ids: ['2'], run: (p) => latencySection(cfg, p) },
  { key: 'catchup', name: 'resume catch-up and Socket.IO recovery', ids: ['4', '5b'], run: (p) => catchupSection(cfg, p) },
  { key: 'flush', name: 'outbox flush', ids: ['3'], run: (p) => flushSection(cfg, p) },
  { key: 'ui', name: 'UI in Chromium', ids: ['6'], run: (p) => uiSection(cfg, p) },
  { key: 'soak', name: 'soak', ids: ['7b'], run: (p) => soakSection(cfg, p) },
  { key: 'relay', name: 'relay: intake and latency on SQLite, PostgreSQL, three instances', ids: ['8'], run: (p) => relaySection(cfg, p) },
];
const unknown = only?.filter((k) => !all.some((s) => s.key === k)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section ${unknown.join(', ')}; the sections are ${all.map((s) => s.key).join(', ')}`);
  process.exit(2);
}
const sections = only === null ? all : all.filter((s) => only.includes(s.key));

const rows: Row[] = [];
const notes: string[] = [];
const load: Record<string, number[]> = { start: os.loadavg() };
let crashed = false;
progress(
  `${cfg.mode} run on ${machine().cores} cores; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const section of sections) {
  progress(`— ${section.name}`);
  try {
    const result = await section.run(progress);
    rows.push(...result.rows);
    notes.push(...result.notes);
  } catch (error) {
    crashed = true;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    progress(`${section.name} crashed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    for (const id of section.ids) rows.push({ id, scenario: section.name, figure: `crashed: ${message}`, baseline: '—', ratio: '—', goal: '—' });
  }
  load[section.name] = os.loadavg();
}

const order = (id: string) => [Number.parseInt(id, 10), id] as const;
rows.sort((a, b) => order(a.id)[0] - order(b.id)[0] || order(a.id)[1].localeCompare(order(b.id)[1]));
notes.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
const durationS = Math.round((Date.now() - started) / 1000);
const host = machine();
console.log(`\nBranchline bench (${cfg.mode}) — ${host.cpuModel}, ${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, ${durationS} s\n`);
console.log(printTable(rows));
console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
const file = path.join(ROOT, 'bench', 'results', only === null ? 'latest.json' : 'partial.json');
writeResults(file, {
  mode: only === null ? cfg.mode : `${cfg.mode}, only ${only.join(',')}`,
  machine: { ...host, loadAverage: load },
  startedAt: new Date(started).toISOString(),
  durationS,
  rows,
  notes,
});
console.log(`\nwritten to ${path.relative(ROOT, file)}`);
process.exit(crashed ? 1 : 0);
