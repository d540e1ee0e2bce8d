// Where the repository and its entry points are, and fresh temporary folders for one run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const RELAY_CLI = path.join(REPO_ROOT, 'src/relay/cli/relay-cli.ts');
export const CONSOLE_MAIN = path.join(REPO_ROOT, 'test/faults/support/console-main.ts');

/** Every folder made by freshDir in this process, in order: a scenario that passed removes its own. */
export const madeDirs: string[] = [];

export function freshDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `branchline-faults-${prefix}-`));
  madeDirs.push(dir);
  return dir;
}
