// Summarises a V8 .cpuprofile: the functions with the most self time, and total time under chosen functions.
//   npx tsx bench/tools/cpuprofile-top.ts FILE.cpuprofile [--top 25] [--under name1,name2]
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: cpuprofile-top.ts FILE [--top N] [--under a,b]');
const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const top = Number(option('top') ?? 25);
const under = (option('under') ?? '').split(',').filter((s) => s !== '');

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where =
    url === ''
      ? ''
      : ` ${url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : path.relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${where}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  const node = byId.get(id)!;
  total += dt;
  if (node.callFrame.functionName === '(idle)') idle += dt;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = byId.get(cur)!.callFrame.functionName;
    for (const u of under)
      if (name === u && !seen.has(u)) {
        seen.add(u);
        inclusive.set(u, (inclusive.get(u) ?? 0) + dt);
      }
  }
});

console.log(`${path.basename(file)}: ${total.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms idle, ${(total - idle).toFixed(0)} ms busy`);
console.log('\nself time (ms, % of busy):');
for (const [name, ms] of [...self]
  .filter(([n]) => !n.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`${ms.toFixed(0).padStart(7)}  ${((100 * ms) / (total - idle)).toFixed(1).padStart(5)}%  ${name}`);
}
if (under.length > 0) {
  console.log('\ntotal time under (ms, % of busy):');
  for (const u of under)
    console.log(`${(inclusive.get(u) ?? 0).toFixed(0).padStart(7)}  ${((100 * (inclusive.get(u) ?? 0)) / (total - idle)).toFixed(1).padStart(5)}%  ${u}`);
}
