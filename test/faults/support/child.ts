// Spawning Node children with tsx, reading their stdout as lines, and killing them for sure.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './paths';

export interface Child {
  readonly proc: ChildProcess;
  /** Every stdout line so far. */
  readonly out: string[];
  /** Every stderr line so far. */
  readonly err: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line that satisfies `match` (only lines printed from now on with `fresh`); rejects at the deadline or exit. */
  waitLine(match: (line: string) => boolean, timeoutMs: number, what: string, fresh?: boolean): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnTsx(script: string, args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    out.push(line);
    for (const l of [...listeners]) l();
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => err.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('close', (code, signal) => {
      resolve({ code, signal });
      for (const l of [...listeners]) l();
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    proc,
    out,
    err,
    exited,
    waitLine(match, timeoutMs, what, fresh = false) {
      return new Promise((resolve, reject) => {
        let seen = fresh ? out.length : 0;
        const check = () => {
          for (; seen < out.length; seen++) {
            const line = out[seen]!;
            if (match(line)) return finish(() => resolve(line));
          }
          if (done) finish(() => reject(new Error(`${what}: the process exited first (stderr: ${err.slice(-5).join(' | ').slice(0, 600)})`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${what}: no such line within ${timeoutMs} ms`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      if (signal !== 'SIGKILL') {
        // A graceful stop that hangs is ended the hard way.
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
        return;
      }
      await exited;
    },
  };
}

/** Runs a tsx script to completion: its exit code and output. */
export async function runTsx(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<{ code: number | null; out: string[]; err: string[] }> {
  const child = spawnTsx(script, args, env);
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  const { code } = await child.exited;
  clearTimeout(timer);
  // Let readline hand over the last lines.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, out: child.out, err: child.err };
}
