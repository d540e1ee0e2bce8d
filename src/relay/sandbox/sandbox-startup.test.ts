// Regression: webhooks a previous run left pending wait for the relay to listen; waiting is not a failed attempt.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptedWamid,
  authHeaders,
  makeDataDir,
  startReceiver,
  startSandboxServer,
  statusesOf,
  TEST_PHONE_NUMBER_ID,
  waitFor,
  type Receiver,
  type SandboxServer,
} from './sandbox-test-harness';

let receiver: Receiver;
let data: ReturnType<typeof makeDataDir>;
let server: SandboxServer | null = null;

beforeEach(async () => {
  data = makeDataDir();
  receiver = await startReceiver();
});

afterEach(async () => {
  await server?.close();
  server = null;
  await receiver.close();
  data.remove();
});

// Before the fix every relay restart burned one attempt per pending webhook, so their retry delay doubled with each
// restart and outgrew the relay's reconcile grace: the relay resent messages Meta had already accepted.
describe('a relay that is not listening yet', () => {
  it('gets its pending webhooks once it listens, at the first attempt', async () => {
    let listening = false;
    server = await startSandboxServer({
      dataDir: data.dir,
      webhookUrl: () => (listening ? receiver.url : null),
      timing: { statusDelayMs: 5, webhookRetryMs: 60_000 },
    });
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '972541234567',
        type: 'text',
        text: { body: 'statement ready' },
        biz_opaque_callback_data: 'm-1',
      }),
    });
    const wamid = await acceptedWamid(res);
    const db = new Database(path.join(data.dir, 'sandbox.db'), { readonly: true });
    try {
      // Every status is overdue: a sandbox that counted "not listening" as a failure would have recorded attempts by now.
      await waitFor('the statuses to be overdue', () => {
        const row = db.prepare<[], { due: number | null }>('SELECT max(due_at) AS due FROM outbox').get();
        return row?.due !== null && row!.due! < Date.now() - 100;
      });
      expect(db.prepare<[], { n: number }>('SELECT max(attempts) AS n FROM outbox').get()!.n).toBe(0);
    } finally {
      db.close();
    }
    expect(receiver.attempts).toEqual([]);

    listening = true;
    // With the old behaviour the next try came a whole retry delay (a minute here) later; now within a few pump rounds.
    await waitFor('the three statuses', () => statusesOf(receiver.accepted, wamid).length === 3);
    expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
    expect(receiver.attempts).toHaveLength(3);
  });
});
