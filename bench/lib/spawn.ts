// Plain child processes (no IPC): a command run to its end, or a server whose first matching stdout line gives its address.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT, trackProcess } from './child';

export async function runToEnd(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackProcess(child);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 30) lines.shift();
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output: lines.join('\n') };
}

export interface LineProcess {
  child: ChildProcess;
  match: RegExpExecArray;
  tail(): string;
  stop(): Promise<void>;
}

/** Starts `node --import tsx SCRIPT ARGS` and waits (bounded) for a stdout line matching `pattern`. */
export async function startLineProcess(script: string, args: string[], pattern: RegExp, timeoutMs: number, nodeArgs: string[] = []): Promise<LineProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  trackProcess(child);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line.slice(0, 400));
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} printed no ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        keep(line);
        const m = pattern.exec(line);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${child.exitCode ?? child.signalCode}):\n${lines.join('\n')}`));
      });
    });
    return { child, match, tail: () => lines.join('\n'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
