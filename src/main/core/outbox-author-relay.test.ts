// Queued work keeps its author, against a real relay process (the relay's CLI, sandbox, loopback, real SQLite files):
// Ana queues a reply while the relay is down and signs out; Ben signs in on the same console and works; the relay never
// receives Ana's reply under Ben. Ana signs in again: it goes, once, as hers. Each sign-out wipes all but that reply.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { plantedIn } from './test-support/planted';
import { startRelayConsole } from './test-support/relay-console';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const RELAY_CLI = path.join(repoRoot, 'src/relay/cli/relay-cli.ts');
const fresh = (name: string) => mkdtempSync(path.join(tmpdir(), `branchline-${name}-`));
const DANA = '972500000101';
const YOSSI = '972500000102';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function addAgent(data: string, id: string, name: string): string {
  const added = spawnSync(process.execPath, ['--import', 'tsx', RELAY_CLI, 'agents', 'add', id, '--name', name, '--data', data], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect(added.status).toBe(0);
  return added.stdout.trim().split('\n').at(-1)!;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startRelay(data: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const relay: ChildProcess = spawn(process.execPath, ['--import', 'tsx', RELAY_CLI, '--sandbox', '--port', String(port), '--data', data], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const stop = async () => {
    if (relay.exitCode !== null || relay.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => relay.once('exit', () => resolve()));
    relay.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  const first = (await createInterface({ input: relay.stdout! })[Symbol.asyncIterator]().next()).value as string;
  return { url: first.replace('relay listening on ', ''), stop };
}

/** Bounded wait for a condition the console or relay reaches on its own. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ledger(url: string, to: string): Promise<string[]> {
  const response = await fetch(`${url}/sandbox/outbound?to=${to}`);
  return ((await response.json()) as { messages: { text?: string }[] }).messages.map((m) => m.text ?? '');
}

describe('queued work keeps its author, with a real relay process', () => {
  it('a colleague signing in on the console never sends it; its author does, once', async () => {
    const relayData = fresh('author-relay');
    const tokens = { ana: addAgent(relayData, 'ana', 'Ana Cohen'), ben: addAgent(relayData, 'ben', 'Ben Katz') };
    const port = await freePort();
    let relay = await startRelay(relayData, port);
    for (const [from, name] of [
      [DANA, 'Dana Levi'],
      [YOSSI, 'Yossi Cohen'],
    ] as const) {
      expect((await fetch(`${relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from, name, text: 'hello' }) })).status).toBe(200);
    }

    const { core, dataDir, call } = await startRelayConsole(cleanups, 'author-console', {
      connection: { backoff: { baseMs: 100, capMs: 500, resetAfterMs: 5_000 } },
    });
    const conversationWith = (waId: string) =>
      core.store.db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ? AND local_only = 0').get(waId)?.id;
    const settled = (id: string) => {
      const message = core.store.message(id);
      return message !== null && message.status !== 'queued' ? message : undefined;
    };

    await call('session.signIn', { relayUrl: relay.url, token: tokens.ana });
    const withDana = await until('Dana’s conversation', () => conversationWith(DANA));
    const withYossi = await until('Yossi’s conversation', () => conversationWith(YOSSI));

    // Ana writes while the relay is away, then signs out.
    await relay.stop();
    await until('the console to notice', () => (core.connectionState().status !== 'live' ? true : undefined));
    const anas = (await call<{ message: Message }>('messages.sendText', { conversationId: withDana, body: 'Ana: your card is ready' })).message;
    await call('session.signOut', {});
    // The sign-out wiped what Ana saw; her kept reply (and the conversation it goes to) stayed.
    expect(plantedIn(dataDir, { yossi: 'Yossi', number: YOSSI, reply: 'Ana: your card is ready' })).toEqual(['reply']);

    // Ben signs in on the same console (his first sync fills it again) and works: his own reply goes, Ana's waits and
    // says whose it is.
    relay = await startRelay(relayData, port);
    await call('session.signIn', { relayUrl: relay.url, token: tokens.ben });
    await until('Yossi’s conversation synced for Ben', () => conversationWith(YOSSI));
    const bens = (await call<{ message: Message }>('messages.sendText', { conversationId: withYossi, body: 'Ben: the branch opens at 8:30' })).message;
    await until('Ben’s reply accepted', () => settled(bens.id));
    // Accepted by the relay is not yet sent: its outbox hands the reply to WhatsApp a moment later.
    await until('fake WhatsApp to have Ben’s reply', async () => ((await ledger(relay.url, YOSSI)).length > 0 ? true : undefined));
    expect(await ledger(relay.url, YOSSI)).toEqual(['Ben: the branch opens at 8:30']);
    expect(await ledger(relay.url, DANA)).toEqual([]);
    expect(core.store.message(anas.id)).toMatchObject({ status: 'queued', sender: { id: 'ana', name: 'Ana Cohen' } });
    expect(core.connectionState().queued).toBe(0);

    // Ana is back: her reply goes, as hers, exactly once.
    await call('session.signOut', {});
    await call('session.signIn', { relayUrl: relay.url, token: tokens.ana });
    expect(await until('Ana’s reply accepted', () => settled(anas.id))).toMatchObject({ senderAgentId: 'ana' });
    await until('fake WhatsApp to have it', async () => ((await ledger(relay.url, DANA)).length > 0 ? true : undefined));
    expect(await ledger(relay.url, DANA)).toEqual(['Ana: your card is ready']);
  }, 90_000);
});
