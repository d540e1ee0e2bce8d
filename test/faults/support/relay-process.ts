// A real relay process (the CLI, --sandbox) that scenarios kill, restart on the same port and data, and inspect.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateAgentToken, hashAgentToken } from '../../../src/relay/agent-tokens';
import { openSqliteRelayStore } from '../../../src/relay/store/relay-db';
import { spawnTsx, runTsx, type Child } from './child';
import { RELAY_CLI, freshDir } from './paths';
import type { ScenarioContext } from './scenario';

/** Known so scenarios can sign webhooks the way Meta does. */
export const APP_SECRET = 'faults-app-secret-5f1d2c9a';
export const PHONE_NUMBER_ID = '100000000000001';
export const BUSINESS_ACCOUNT_ID = '200000000000001';

/** Short timers so a run takes seconds: quick retries, a short reconcile grace, a 1 s Graph timeout, dead links in 2 s. */
/** What the scenarios' relays accept on /metrics. */
export const METRICS_TOKEN = 'faults-metrics-token-0123456789abcdef';

export const FAST_RELAY_ENV: Record<string, string> = {
  RELAY_METRICS_TOKEN: METRICS_TOKEN,
  WHATSAPP_APP_SECRET: APP_SECRET,
  WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
  WHATSAPP_BUSINESS_ACCOUNT_ID: BUSINESS_ACCOUNT_ID,
  RELAY_LOG_LEVEL: 'debug',
  RELAY_RETRY_BASE_MS: '50',
  RELAY_RECONCILE_GRACE_MS: '2000',
  RELAY_GRAPH_TIMEOUT_MS: '1000',
  RELAY_HEARTBEAT_MS: '400',
  RELAY_DEAD_AFTER_MS: '2000',
};

export interface RelayProcess {
  readonly dataDir: string;
  /** Fixed after the first start: restarts reuse it. */
  readonly port: number;
  readonly url: string;
  /** Agent "ana", created before the first start. */
  readonly token: string;
  readonly running: boolean;
  /** True when the current process exited without being told to (a crash). */
  readonly crashed: boolean;
  /** Every log line (stderr) of every run; also kept in `logFile` for a post-mortem. */
  readonly logLines: string[];
  readonly logFile: string;
  /** How many times it was started (first start included). */
  readonly starts: number;
  kill(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  addAgent(id: string, name: string): Promise<string>;
  revokeAgent(id: string): Promise<void>;
  /** A read-only look at relay.db (safe while the relay runs: WAL). */
  query<T>(sql: string, ...params: unknown[]): T[];
}

export async function startRelayProcess(ctx: ScenarioContext, options: { env?: Record<string, string> } = {}): Promise<RelayProcess> {
  const dataDir = freshDir('relay');
  const env = { ...FAST_RELAY_ENV, ...options.env };
  const logLines: string[] = [];
  let child: Child | null = null;
  let port = 0;
  let starts = 0;

  const agentCommand = async (args: string[]): Promise<string[]> => {
    const result = await runTsx(RELAY_CLI, ['agents', ...args, '--data', dataDir], env);
    if (result.code !== 0) throw new Error(`relay agents ${args[0]} failed (${result.code}): ${result.err.join(' ').slice(0, 300)}`);
    return result.out;
  };
  // Agent "ana" is written straight into the data folder (a CLI run costs a second); addAgent/revokeAgent use the CLI.
  const token = generateAgentToken();
  const store = openSqliteRelayStore(dataDir).store;
  await store.setAgentToken('ana', 'Ana Cohen', hashAgentToken(token), Date.now());
  await store.close();

  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const c = spawnTsx(RELAY_CLI, ['--sandbox', '--port', String(port), '--data', dataDir], env);
      try {
        const line = await c.waitLine((l) => l.startsWith('relay listening on '), 20_000, 'relay start');
        port = Number(new URL(line.slice('relay listening on '.length)).port);
        child = c;
        starts += 1;
        return;
      } catch (error) {
        await c.kill();
        collect(c);
        // The old process's port can take a moment to be free again.
        if (attempt >= 20 || !c.err.some((l) => l.includes('already in use'))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const logFile = path.join(dataDir, 'relay-process.log');
  const collect = (c: Child) => {
    logLines.push(...c.err);
    if (c.err.length > 0) appendFileSync(logFile, `${c.err.join('\n')}\n`);
  };

  await launch();
  const relay: RelayProcess = {
    dataDir,
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    token,
    get running() {
      return child !== null;
    },
    get crashed() {
      const current = child as Child | null;
      return current !== null && (current.proc.exitCode !== null || current.proc.signalCode !== null);
    },
    logLines,
    logFile,
    get starts() {
      return starts;
    },
    async kill() {
      const c = child;
      child = null;
      if (c === null) return;
      await c.kill('SIGKILL');
      collect(c);
    },
    async stop() {
      const c = child;
      child = null;
      if (c === null) return;
      await c.kill('SIGTERM');
      collect(c);
    },
    async restart() {
      if (child !== null) await relay.stop();
      await launch();
    },
    async addAgent(id, name) {
      return (await agentCommand(['add', id, '--name', name])).at(-1)!.trim();
    },
    async revokeAgent(id) {
      await agentCommand(['revoke', id]);
    },
    query<T>(sql: string, ...params: unknown[]): T[] {
      const db = new Database(path.join(dataDir, 'relay.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
  };
  ctx.defer(() => relay.stop());
  return relay;
}

/** Everything fake WhatsApp accepted for one customer, in arrival order (duplicates included). */
/** What fake WhatsApp sent to `to`, with the business number (`from`) each message left from. */
export async function ledgerOf(relayUrl: string, to: string): Promise<{ wamid: string; text?: string; bizOpaque: string | null; from: string }[]> {
  const res = await fetch(`${relayUrl}/sandbox/outbound?to=${to}`);
  if (res.status !== 200) throw new Error(`ledger for ${to}: HTTP ${res.status}`);
  return ((await res.json()) as { messages: { wamid: string; text?: string; bizOpaque: string | null; from: string }[] }).messages;
}

export async function setGraphFault(relayUrl: string, mode: 'error500' | 'throttle' | 'hang' | 'accept_then_hang' | 'none', count = 1): Promise<void> {
  const res = await fetch(`${relayUrl}/sandbox/faults`, { method: 'POST', body: JSON.stringify({ graph: { mode, count } }) });
  if (res.status !== 200) throw new Error(`sandbox faults: HTTP ${res.status}`);
}

export async function healthy(relayUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${relayUrl}/healthz`, { signal: AbortSignal.timeout(3_000) });
    return res.status === 200 && ((await res.json()) as { status?: string }).status === 'ok';
  } catch {
    return false;
  }
}
