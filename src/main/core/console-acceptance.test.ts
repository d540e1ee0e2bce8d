// The console core against a real sandbox relay on loopback, real SQLite files and real processes:
// nothing the agent sends is lost or sent twice, whatever dies in between; nothing a customer sends is lost or doubled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import { createConsole } from './create-console';
import { memoryTokenStore } from './session-service';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const CUSTOMERS = ['972500000001', '972500000002', '972500000003', '972500000004'];
const FAST = { RELAY_RETRY_BASE_MS: '50', RELAY_RECONCILE_GRACE_MS: '300', RELAY_GRAPH_TIMEOUT_MS: '2000' };
const SANDBOX_TIMING = { statusDelayMs: 5, replyDelayMs: 50, webhookRetryMs: 20 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayOn(options: { dataDir?: string; port?: number; token?: string } = {}): Promise<TestRelay> {
  const relay = await startTestRelay({ sandbox: true, env: FAST, overrides: { sandboxTiming: SANDBOX_TIMING }, ...options });
  cleanups.push(() => relay.stop());
  return relay;
}

async function customersWrite(relay: TestRelay, texts: string[], customers = CUSTOMERS): Promise<void> {
  for (const text of texts) {
    for (const from of customers) {
      const res = await fetch(`${relay.relay.url}/sandbox/inbound`, {
        method: 'POST',
        body: JSON.stringify({ from, name: `Customer ${from.slice(-1)}`, text }),
      });
      expect(res.status).toBe(200);
    }
  }
}

async function ledger(relay: TestRelay, to: string): Promise<string[]> {
  const res = await fetch(`${relay.relay.url}/sandbox/outbound?to=${to}`);
  return ((await res.json()) as { messages: { text?: string }[] }).messages.map((m) => m.text ?? '');
}

function inProcessConsole(relayUrl: string, token: string, dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-console-'))) {
  const core = createConsole({ dataDir, tokens: memoryTokenStore(token), connection: { backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 5_000 } } });
  const { store, service } = core;
  store.session.setRelayUrl(relayUrl);
  cleanups.push(() => core.stop());
  return { core, store, service, dataDir };
}

function child(args: string[]): { process: ChildProcess; lines: AsyncIterator<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/main/core/test-support/console-child.ts'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => void proc.kill('SIGKILL'));
  return { process: proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));

describe('console core with a real relay', () => {
  it('queues 200 messages while the relay is down and delivers each exactly once, in per-conversation order', async () => {
    const first = await relayOn();
    await customersWrite(first, ['hello']);
    const { core, service, store } = inProcessConsole(first.relay.url, first.token);
    await core.start();
    await waitFor('live', () => (core.connectionState().status === 'live' ? true : undefined), 20_000);
    await waitFor('the four conversations', () => (store.db.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n === 4 || undefined);
    const conversations = store.db.prepare<[], { id: string; wa_id: string }>('SELECT id, wa_id FROM conversations ORDER BY wa_id').all();

    await first.stop();
    cleanups.pop();
    await waitFor('the console to notice', () => (core.connectionState().status !== 'live' ? true : undefined), 20_000);
    for (let i = 0; i < 200; i++) {
      const conversation = conversations[i % conversations.length]!;
      const sent = await service.call('messages.sendText', { conversationId: conversation.id, body: `${conversation.wa_id}-${String(i).padStart(3, '0')}` });
      expect(sent.ok).toBe(true);
    }
    expect(core.connectionState().queued).toBe(200);

    const second = await relayOn({ dataDir: first.dataDir, port: first.relay.port, token: first.token });
    await waitFor('the outbox to drain', () => (store.outbox.queuedCount() === 0 ? true : undefined), 60_000);
    await waitFor(
      'fake WhatsApp to accept all 200',
      async () => {
        let total = 0;
        for (const c of CUSTOMERS) total += (await ledger(second, c)).length;
        return total >= 200 ? true : undefined;
      },
      60_000,
    );
    for (const c of CUSTOMERS) {
      const expected = Array.from({ length: 200 }, (_, i) => i)
        .filter((i) => CUSTOMERS[i % 4] === c)
        .map((i) => `${c}-${String(i).padStart(3, '0')}`);
      expect(await ledger(second, c)).toEqual(expected);
    }
  });

  it('survives SIGKILL of the console mid-drain: every message exactly once, in order', async () => {
    const relay = await relayOn();
    await customersWrite(relay, ['hello']);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-child-'));
    const args = ['--relay', relay.relay.url, '--token', relay.token, '--data', dataDir, '--queue', '120', '--to', CUSTOMERS.join(',')];
    const firstRun = child(args);
    await waitFor(
      'part of the queue to reach fake WhatsApp',
      async () => {
        let total = 0;
        for (const c of CUSTOMERS) total += (await ledger(relay, c)).length;
        return total >= 15 ? true : undefined;
      },
      60_000,
    );
    firstRun.process.kill('SIGKILL');
    await exited(firstRun.process);

    const secondRun = child(args);
    await waitFor(
      'the restarted console to drain',
      async () => {
        const line = (await secondRun.lines.next()).value as string | undefined;
        return line !== undefined && (JSON.parse(line) as { queued?: number }).queued === 0 ? true : undefined;
      },
      60_000,
    );
    await waitFor(
      'all 120 accepted',
      async () => {
        let total = 0;
        for (const c of CUSTOMERS) total += (await ledger(relay, c)).length;
        return total >= 120 ? true : undefined;
      },
      60_000,
    );
    for (const c of CUSTOMERS) {
      const expected = Array.from({ length: 120 }, (_, i) => i)
        .filter((i) => CUSTOMERS[i % 4] === c)
        .map((i) => `msg-${String(i).padStart(4, '0')}`);
      expect(await ledger(relay, c)).toEqual(expected);
    }
  });

  it('loses and doubles nothing when killed between committing inbound events and acking them', async () => {
    const relay = await relayOn();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-ack-'));
    const base = ['--relay', relay.relay.url, '--token', relay.token, '--data', dataDir];
    // First run: sync, then die right after committing the first live batch.
    const firstRun = child([...base, '--crash-after-commits', '1']);
    await waitFor(
      'the first run to be live',
      async () => {
        const line = (await firstRun.lines.next()).value as string | undefined;
        return line !== undefined && (JSON.parse(line) as { status?: string }).status === 'live' ? true : undefined;
      },
      30_000,
    );
    await customersWrite(relay, ['one', 'two', 'three'], CUSTOMERS.slice(0, 2));
    await exited(firstRun.process);
    expect(firstRun.process.signalCode).toBe('SIGKILL');

    const secondRun = child(base);
    const relayHead = await relay.relay.store.head();
    await waitFor(
      'the second run to catch up',
      async () => {
        const line = (await secondRun.lines.next()).value as string | undefined;
        return line !== undefined && (JSON.parse(line) as { cursor?: number }).cursor === relayHead ? true : undefined;
      },
      30_000,
    );
    secondRun.process.kill('SIGKILL');
    await exited(secondRun.process);

    const db = new Database(path.join(dataDir, 'console.db'), { readonly: true });
    const inbound = db
      .prepare<[], { body: string }>("SELECT json_extract(content, '$.body') AS body FROM messages WHERE direction = 'in' ORDER BY created_at, id")
      .all();
    db.close();
    expect(inbound.map((m) => m.body).sort()).toEqual(['one', 'one', 'three', 'three', 'two', 'two']);
  });
});
