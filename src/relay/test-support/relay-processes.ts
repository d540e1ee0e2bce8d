// Real relay processes for tests: the documented CLI serving a data folder (several may serve the same one), and its
// admin commands run as separate processes against that folder, as an operator would while the relay runs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RELAY_CLI = path.join(REPO, 'src/relay/cli/relay-cli.ts');

/** Settings of a relay that never reaches WhatsApp (nothing is sent in these tests). */
export const OFFLINE_RELAY_ENV: Record<string, string> = {
  WHATSAPP_APP_SECRET: 'processes-app-secret-0123456789',
  WHATSAPP_VERIFY_TOKEN: 'processes-verify-token',
  WHATSAPP_ACCESS_TOKEN: 'processes-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9/unused',
  RELAY_HEARTBEAT_MS: '1000',
  RELAY_DEAD_AFTER_MS: '4000',
};

export interface RelayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** stderr lines (the JSON log), for a failure's message. */
  readonly log: string[];
  stop(): Promise<void>;
}

function tsx(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', RELAY_CLI, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm run relay -- --port 0 --data DIR`, resolved once it listens. */
export function startRelayProcess(dataDir: string, env: Record<string, string> = OFFLINE_RELAY_ENV, deadlineMs = 30_000): Promise<RelayProcess> {
  const child = tsx(['--port', '0', '--data', dataDir], env);
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => void log.push(line));
  const stop = (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`relay did not start within ${deadlineMs} ms: ${log.slice(-5).join(' | ')}`));
    }, deadlineMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code}) before listening: ${log.slice(-5).join(' | ')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const listening = /^relay listening on (http:\/\/\S+)$/.exec(line);
      if (listening === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: listening[1]!, child, log, stop });
    });
  });
}

/** An admin command (`teams add …`, `agents revoke …`) against the data folder, in its own process, to completion. */
export function relayCommand(args: string[], dataDir: string, env: Record<string, string> = OFFLINE_RELAY_ENV, deadlineMs = 30_000): Promise<string[]> {
  const child = tsx([...args, '--data', dataDir], env);
  const out: string[] = [];
  const err: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => void out.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => void err.push(line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relay ${args.join(' ')} did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`relay ${args.join(' ')} exited ${code}: ${[...out, ...err].join(' | ').slice(0, 600)}`));
    });
  });
}

/** The token `agents add` printed (shown once). */
export function printedToken(lines: readonly string[]): string {
  const token = lines.map((l) => /\b(blt_[A-Za-z0-9_-]{20,})\b/.exec(l)?.[1]).find((t) => t !== undefined);
  if (token === undefined) throw new Error(`no token in: ${lines.join(' | ')}`);
  return token;
}
