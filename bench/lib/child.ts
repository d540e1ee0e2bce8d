// Parent side of a bench child process: a Node process (TypeScript via tsx) spoken to over IPC, always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildEvent {
  type: string;
  [key: string]: unknown;
}

export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  /** Sends a command and resolves with the child's answer (rejects with its error, or when it exits). */
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Resolves with the first event of this type the child sends from now on. */
  next(type: string, timeoutMs?: number): Promise<ChildEvent>;
  onEvent(listener: (event: ChildEvent) => void): () => void;
  /** The last lines the child wrote to stdout and stderr (to explain a failure). */
  tail(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Every child still running, so a crash of the bench still ends them (by pid, one at a time). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Registers a process this bench started, so it is killed if the bench dies first. */
export function trackProcess(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export function startChild(name: string, script: string, args: string[], options: { env?: Record<string, string>; nodeArgs?: string[] } = {}): BenchChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  trackProcess(child);
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line.slice(0, 500));
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);

  let nextId = 0;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: ChildEvent) => void>();
  let exitInfo: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = `${name} exited (${signal ?? code})`;
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${exitInfo} while waiting for an answer:\n${lines.slice(-15).join('\n')}`));
        pending.delete(id);
      }
      resolve();
    });
  });

  child.on('message', (raw) => {
    const message = raw as { id?: number; ok?: boolean; value?: unknown; error?: string; event?: ChildEvent };
    if (message.event !== undefined) {
      for (const listener of [...listeners]) listener(message.event);
      return;
    }
    if (message.id === undefined) return;
    const p = pending.get(message.id);
    if (p === undefined) return;
    pending.delete(message.id);
    clearTimeout(p.timer);
    if (message.ok === true) p.resolve(message.value);
    else p.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
  });

  return {
    name,
    pid: child.pid ?? -1,
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
      if (exitInfo !== null) return Promise.reject(new Error(`${exitInfo}; cannot run ${cmd}:\n${lines.slice(-15).join('\n')}`));
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} did not answer within ${timeoutMs} ms:\n${lines.slice(-15).join('\n')}`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        child.send({ id, cmd, args });
      });
    },
    next(type: string, timeoutMs = 60_000): Promise<ChildEvent> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms:\n${lines.slice(-15).join('\n')}`));
        }, timeoutMs);
        const off = this.onEvent((event) => {
          if (event.type !== type) return;
          clearTimeout(timer);
          off();
          resolve(event);
        });
        void exited.then(() => {
          clearTimeout(timer);
          off();
          reject(new Error(`${exitInfo} before "${type}":\n${lines.slice(-15).join('\n')}`));
        });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tail: () => lines.join('\n'),
    async stop(graceMs = 5_000) {
      if (exitInfo !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Stops every child given, even when some fail to stop. */
export async function stopAll(...children: (BenchChild | null | undefined)[]): Promise<void> {
  await Promise.allSettled(children.map((c) => c?.stop()));
}
