// `npm run test:faults`: the whole fault and bad-input suite against real processes on 127.0.0.1; exits 1 if anything broke.
//   npm run test:faults -- [--fast] [--only relay-kill,network] [--seed N] [--verbose]      (FAULTS_SEED=N works too)
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios/index';
import { addFigures, emptyFigures, problems, summaryLine } from './support/figures';
import { runScenario } from './support/scenario';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { fast: { type: 'boolean' }, only: { type: 'string' }, seed: { type: 'string' }, verbose: { type: 'boolean' } },
});
const seed = Number(values.seed ?? process.env['FAULTS_SEED'] ?? Date.now() % 1_000_000);
const scale = values.fast === true ? 'fast' : 'full';
const only = values.only?.split(',').map((s) => s.trim());
const chosen = only === undefined ? SCENARIOS : SCENARIOS.filter((s) => only.includes(s.name));
if (chosen.length === 0) {
  process.stderr.write(`no such scenario; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}

process.stdout.write(`fault suite: ${chosen.length} scenario(s), scale ${scale}, seed ${seed} (replay with FAULTS_SEED=${seed})\n`);
let total = emptyFigures();
let failed = 0;
const started = Date.now();
for (const scenario of chosen) {
  process.stdout.write(`- ${scenario.name}: ${scenario.title}\n`);
  const { figures, ms } = await runScenario(scenario, {
    scale,
    seed,
    ...(values.verbose === true && { log: (line: string) => process.stdout.write(`    ${line}\n`) }),
  });
  const broken = problems(figures);
  process.stdout.write(`${broken.length === 0 ? 'PASS' : 'FAIL'} ${summaryLine(scenario.name, figures, ms)}\n`);
  for (const note of figures.notes) process.stdout.write(`    ${note}\n`);
  for (const problem of broken.slice(0, 12)) process.stdout.write(`    ✗ ${problem}\n`);
  if (broken.length > 12) process.stdout.write(`    … and ${broken.length - 12} more\n`);
  if (broken.length > 0) failed += 1;
  total = addFigures(total, figures);
}
process.stdout.write(`${failed === 0 ? 'PASS' : 'FAIL'} ${summaryLine('total', total, Date.now() - started)}\n`);
process.stdout.write(failed === 0 ? 'every invariant held\n' : `${failed} scenario(s) broke an invariant (seed ${seed})\n`);
process.exit(failed === 0 ? 0 : 1);
