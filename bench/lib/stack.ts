// A relay process and a console-core process over fresh data folders, started together and stopped together.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateAgentToken } from '../../src/relay/agent-tokens';
import { startChild, stopAll, type BenchChild } from './child';
import { freePort } from './free-port';
import { profileArgs } from './profiling';

export interface Stack {
  dir: string;
  relay: BenchChild;
  console: BenchChild;
  relayUrl: string;
  token: string;
  close(): Promise<void>;
}

export function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `branchline-bench-${label}-`));
}

export async function startRelayHost(
  dataDir: string,
  options: { port?: number; token?: string; label?: string; database?: string } = {},
): Promise<{ relay: BenchChild; url: string; token: string; port: number }> {
  const args = [
    '--data',
    dataDir,
    '--port',
    String(options.port ?? 0),
    ...(options.token !== undefined ? ['--token', options.token] : []),
    ...(options.database !== undefined ? ['--database', options.database] : []),
  ];
  const relay = startChild('relay', 'bench/procs/relay-host.ts', args, {
    nodeArgs: profileArgs(options.label === undefined ? 'relay' : `${options.label}-relay`),
  });
  try {
    const ready = await relay.next('ready', 30_000);
    return { relay, url: String(ready['url']), token: String(ready['token']), port: Number(ready['port']) };
  } catch (error) {
    await relay.stop();
    throw error;
  }
}

export function startConsoleHost(dataDir: string, relayUrl: string, token: string, label = 'console'): BenchChild {
  return startChild('console', 'bench/procs/console-host.ts', ['--data', dataDir, '--relay', relayUrl, '--token', token], { nodeArgs: profileArgs(label) });
}

/** Relay and console, the console live (its first sync of the empty relay done). Both processes boot at once. */
export async function startStack(label: string): Promise<Stack> {
  const dir = tempDir(label);
  const port = await freePort();
  const token = generateAgentToken();
  let relay: BenchChild | null = null;
  let console: BenchChild | null = null;
  try {
    const relayStarting = startRelayHost(path.join(dir, 'relay'), { port, token, label });
    console = startConsoleHost(path.join(dir, 'console'), `http://127.0.0.1:${port}`, token, `${label}-console`);
    const [started] = await Promise.all([relayStarting, console.next('ready', 30_000)]);
    relay = started.relay;
    // The console may have tried before the relay listened: skip its backoff wait.
    await console.call('networkBack');
    await console.call('waitLive', { timeoutMs: 30_000 }, 40_000);
    const r = relay;
    const c = console;
    return {
      dir,
      relay: r,
      console: c,
      relayUrl: started.url,
      token: started.token,
      close: async () => {
        await stopAll(c, r);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll(console, relay);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
