// `npm run lint` itself fails on each planted violation: the rules are not only written and tested, they are wired in.
// The planted files are written into the tree under unique names and always removed; a run leaves the tree as it was.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

const repoRoot = new URL('..', import.meta.url).pathname;
const tag = `planted-${process.pid}-${randomBytes(4).toString('hex')}`;

/** One planted file per rule: what it breaks, and the words the rule reports it with. */
const VIOLATIONS = [
  {
    what: 'a feature importing another feature',
    file: `src/renderer/composer/${tag}.ts`,
    code: "import { buildTimeline } from '../conversation/timeline';\n\nexport const planted = buildTimeline;\n",
    rule: 'branchline/renderer-boundaries',
  },
  {
    what: 'a domain module importing node:fs',
    file: `src/relay/domain/${tag}.ts`,
    code: "import { readFileSync } from 'node:fs';\n\nexport const planted = readFileSync;\n",
    rule: 'branchline/layers',
  },
  {
    what: 'console core importing electron',
    file: `src/main/core/${tag}.ts`,
    code: "import { app } from 'electron';\n\nexport const planted = app.name;\n",
    rule: 'branchline/layers',
  },
  {
    what: 'an unchecked cast of parsed data',
    file: `src/renderer/ui/${tag}.ts`,
    code: 'export const planted = (text: string) => JSON.parse(text) as { id: string };\n',
    rule: 'branchline/no-unchecked-cast',
  },
] as const;

const UNFORMATTED = { file: `src/renderer/ui/${tag}-format.ts`, code: 'export const planted   =  { id:"x" }\n' };

/** The same files, written the way the rules and the formatter want them. */
const CLEAN = [
  { file: `src/renderer/composer/${tag}-clean.ts`, code: "import { strings } from '../ui/strings';\n\nexport const planted = strings.productName;\n" },
  { file: `src/relay/domain/${tag}-clean.ts`, code: "import { z } from 'zod';\n\nexport const planted = z.string();\n" },
  {
    file: `src/renderer/ui/${tag}-clean.ts`,
    code: "import { z } from 'zod';\n\nexport const planted = (text: string) => z.object({ id: z.string() }).parse(JSON.parse(text));\n",
  },
];

const createdDirs: string[] = [];
const plantedFiles: string[] = [];

function plant(file: string, code: string): void {
  const absolute = path.join(repoRoot, file);
  const dir = path.dirname(absolute);
  try {
    mkdirSync(dir);
    createdDirs.push(dir); // a folder someone else is about to create: removed again only if still empty
  } catch {
    // it exists
  }
  writeFileSync(absolute, code, { flag: 'wx' });
  plantedFiles.push(absolute);
}

afterEach(() => {
  for (const file of plantedFiles.splice(0)) rmSync(file, { force: true });
  for (const dir of createdDirs.splice(0)) {
    try {
      rmdirSync(dir); // fails when not empty: never removes anyone's files
    } catch {
      // not empty, or gone
    }
  }
});

/** The lint script's steps, exactly as package.json has them ("eslint … . && prettier … ."). */
function lintSteps(): string[][] {
  const pkg = z.object({ scripts: z.object({ lint: z.string() }) }).parse(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')));
  return pkg.scripts.lint.split('&&').map((step) => step.trim().split(/\s+/));
}

/**
 * Runs one step of the lint script with its `.` narrowed to the given files: the same tool, flags and config.
 * The whole-tree run above proves the wiring once; narrowed runs keep the other cases to seconds.
 */
function runStep(tool: 'eslint' | 'prettier', files: string[]) {
  const step = lintSteps().find(([name]) => name === tool);
  if (step === undefined) throw new Error(`npm run lint has no ${tool} step`);
  const [name, ...args] = step;
  const narrowed = args.flatMap((arg) => (arg === '.' ? files : [arg]));
  return spawnSync(path.join(repoRoot, 'node_modules', '.bin', name!), narrowed, { cwd: repoRoot, encoding: 'utf8' });
}

/** ESLint's report for one file: the block under its path in the stylish output. */
function reportFor(output: string, file: string): string {
  const absolute = path.join(repoRoot, file);
  const block = output.split(/\n\s*\n/).find((chunk) => chunk.trimStart().startsWith(absolute));
  return block ?? '';
}

describe('npm run lint', () => {
  it('is ESLint over the whole tree, then Prettier over the whole tree, so a failure of either fails the script', () => {
    const steps = lintSteps();
    expect(steps.map(([tool]) => tool)).toEqual(['eslint', 'prettier']);
    expect(steps[0]).toEqual(expect.arrayContaining(['--max-warnings', '0', '.']));
    expect(steps[1]).toEqual(expect.arrayContaining(['--check', '.']));
  });

  it('fails on each planted rule violation, run as the real script over the whole tree', { timeout: 180_000 }, () => {
    for (const violation of VIOLATIONS) plant(violation.file, violation.code);
    const run = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    for (const violation of VIOLATIONS) {
      expect(reportFor(run.stdout, violation.file), violation.what).toContain(violation.rule);
    }
  });

  it('fails on an unformatted file through its Prettier step', () => {
    plant(UNFORMATTED.file, UNFORMATTED.code);
    expect(runStep('eslint', [UNFORMATTED.file]).status).toBe(0); // the formatter alone catches it
    // Narrowed to the file, Prettier still applies .prettierignore: a file the script would skip passes here too.
    const run = runStep('prettier', [UNFORMATTED.file]);
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(UNFORMATTED.file);
  });

  it('passes the same files written cleanly, through both steps', () => {
    for (const { file, code } of CLEAN) plant(file, code);
    const files = CLEAN.map(({ file }) => file);
    const eslint = runStep('eslint', files);
    expect(eslint.stdout).toBe('');
    expect(eslint.status).toBe(0);
    const prettier = runStep('prettier', files);
    expect(`${prettier.stdout}${prettier.stderr}`).toBe('');
    expect(prettier.status).toBe(0);
  });
});
