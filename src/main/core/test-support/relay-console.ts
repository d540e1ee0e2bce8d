// A console core for tests against a real relay: its own temp data folder, short retries, its log and saved refresh tokens kept, stopped by the test's cleanups.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConsole, type Console, type ConsoleOptions } from '../create-console';
import { memoryTokenStore, type TokenStore } from '../session-service';

export interface RelayConsole {
  core: Console;
  dataDir: string;
  /** The console's token store (in memory): what it would keep across a restart. */
  tokens: TokenStore;
  /** Every refresh token the console saved, in order. */
  saved: string[];
  logs: { event: string; fields: Record<string, unknown> }[];
  count(event: string): number;
  /** The call's value; fails the test on an error answer, naming its code. */
  call<T>(method: Parameters<Console['service']['call']>[0], input: unknown): Promise<T>;
}

/** Starts a console named `name` (its folder's prefix); `options` may replace the backoff (default 50–200 ms) or add an auth client. */
export async function startRelayConsole(
  cleanups: (() => Promise<void> | void)[],
  name: string,
  options: Partial<Omit<ConsoleOptions, 'dataDir' | 'tokens' | 'log'>> = {},
): Promise<RelayConsole> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `branchline-${name}-`));
  const saved: string[] = [];
  const tokens = memoryTokenStore();
  const logs: RelayConsole['logs'] = [];
  const core = createConsole({
    dataDir,
    tokens: { ...tokens, save: async (t) => (saved.push(t), tokens.save(t)) },
    connection: { backoff: { baseMs: 50, capMs: 200, resetAfterMs: 5_000 } },
    log: (event, fields = {}) => logs.push({ event, fields }),
    ...options,
  });
  cleanups.push(() => core.stop());
  await core.start();
  const call = async <T>(method: Parameters<Console['service']['call']>[0], input: unknown): Promise<T> => {
    const result = await core.service.call(method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };
  return { core, dataDir, tokens, saved, logs, count: (event) => logs.filter((l) => l.event === event).length, call };
}
