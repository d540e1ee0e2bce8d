// What survives close() and a new createSandbox over the same dataDir: the ledger, media, and every pending webhook.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFakeClock } from '../../shared/clock';
import { createSandbox } from './sandbox';
import {
  acceptedWamid,
  authHeaders,
  makeDataDir,
  messagesOf,
  startReceiver,
  startSandboxServer,
  statusesOf,
  TEST_APP_SECRET,
  TEST_PHONE_NUMBER_ID,
  TEST_TOKEN,
  TEST_WABA_ID,
  waitFor,
  type Receiver,
  type SandboxServer,
} from './sandbox-test-harness';

const CUSTOMER = '972541234567';

let receiver: Receiver;
let data: ReturnType<typeof makeDataDir>;
const servers: SandboxServer[] = [];

beforeEach(async () => {
  data = makeDataDir();
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await receiver.close();
  data.remove();
});

async function open(timing?: { statusDelayMs?: number; replyDelayMs?: number; webhookRetryMs?: number }, url = () => receiver.url): Promise<SandboxServer> {
  const s = await startSandboxServer({ dataDir: data.dir, webhookUrl: url, ...(timing === undefined ? {} : { timing }) });
  servers.push(s);
  return s;
}

async function reopen(previous: SandboxServer, timing?: Parameters<typeof open>[0], url?: () => string): Promise<SandboxServer> {
  servers.splice(servers.indexOf(previous), 1);
  await previous.close();
  return open(timing, url);
}

async function sendText(s: SandboxServer, body: string, bizOpaque: string): Promise<string> {
  const res = await fetch(`${s.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body }, biz_opaque_callback_data: bizOpaque }),
  });
  expect(res.status).toBe(200);
  return await acceptedWamid(res);
}

describe('persistence', () => {
  it('keeps the ledger and uploaded media across a restart', async () => {
    const first = await open();
    await sendText(first, 'one', 'a');
    await sendText(first, 'two', 'b');
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'dot.png');
    const uploaded = await fetch(`${first.graphUrl}/${TEST_PHONE_NUMBER_ID}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
      body: form,
    });
    const { id } = z.looseObject({ id: z.string() }).parse(await uploaded.json());
    const before = first.sandbox.outbound(CUSTOMER);

    const second = await reopen(first);
    expect(second.sandbox.outbound(CUSTOMER)).toEqual(before);
    expect(before.map((e) => e.text)).toEqual(['one', 'two']);
    const info = await fetch(`${second.graphUrl}/${id}`, { headers: authHeaders() });
    expect(await info.json()).toMatchObject({ file_size: 4 });
  });

  it('delivers webhooks the relay refused before the restart, in order', async () => {
    receiver.refuseWith(500);
    const first = await open();
    const wamid = await sendText(first, 'Can I help?', 'relay-1');
    await waitFor('a refused attempt', () => receiver.attempts.length >= 1);
    expect(first.sandbox.pendingWebhooks()).toBe(4); // three statuses and the reply

    const second = await reopen(first);
    receiver.refuseWith(null);
    await waitFor('the statuses and the reply', () => statusesOf(receiver.accepted, wamid).length === 3 && messagesOf(receiver.accepted).length === 1);
    expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
    expect(messagesOf(receiver.accepted)[0]!.context?.id).toBe(wamid);
    await waitFor('an empty outbox', () => second.sandbox.pendingWebhooks() === 0);
  });

  it('delivers status webhooks that were scheduled but not yet due when it closed', async () => {
    // A clock that never moves: nothing can fall due before the restart.
    const stopped = createFakeClock(Date.now(), 0);
    const first = await startSandboxServer({ dataDir: data.dir, webhookUrl: () => receiver.url, clock: stopped, timing: { statusDelayMs: 50 } });
    servers.push(first);
    const wamid = await sendText(first, 'Noted.', 'relay-2');
    expect(first.sandbox.pendingWebhooks()).toBe(3);
    expect(receiver.attempts).toEqual([]);
    const second = await reopen(first);
    await waitFor('the three statuses', () => statusesOf(receiver.accepted, wamid).length === 3);
    expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
    await waitFor('an empty outbox', () => second.sandbox.pendingWebhooks() === 0);
  });

  it('an inbound message the relay refused is delivered after the restart', async () => {
    receiver.refuseWith(500);
    const first = await open();
    await expect(first.sandbox.injectInbound({ from: CUSTOMER, name: 'Dana Levi', text: 'hello?' })).rejects.toMatchObject({ code: 'relay_refused' });
    await reopen(first);
    receiver.refuseWith(null);
    const [message] = await waitFor('the inbound message', () => messagesOf(receiver.accepted).length === 1 && messagesOf(receiver.accepted));
    expect(message).toMatchObject({ from: CUSTOMER, text: { body: 'hello?' }, contacts: [{ profile: { name: 'Dana Levi' }, wa_id: CUSTOMER }] });
  });

  it('close() aborts a webhook POST the relay is sitting on and keeps it for the next start', async () => {
    receiver.answerAfter(60_000);
    const first = await open();
    await sendText(first, 'slow relay', 'relay-3');
    await waitFor('a POST in progress', () => receiver.inProgress > 0);
    const fresh = await startReceiver();
    try {
      const second = await reopen(first, undefined, () => fresh.url);
      await waitFor('the statuses on the new receiver', () => fresh.accepted.length === 3);
      expect(fresh.accepted.every((w) => w.signatureValid)).toBe(true);
      await waitFor('an empty outbox', () => second.sandbox.pendingWebhooks() === 0);
    } finally {
      for (const s of servers.splice(0)) await s.close();
      await fresh.close();
    }
  });
});

describe('timers', () => {
  it('run on the injected clock, and none are left after close()', async () => {
    const clock = createFakeClock();
    const sandbox = createSandbox({
      dataDir: data.dir,
      appSecret: TEST_APP_SECRET,
      accessToken: TEST_TOKEN,
      phoneNumberId: TEST_PHONE_NUMBER_ID,
      businessAccountId: TEST_WABA_ID,
      webhookUrl: () => receiver.url,
      clock,
      timing: { statusDelayMs: 1000, replyDelayMs: 5000, webhookRetryMs: 1000 },
    });
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => void sandbox.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/sandbox/graph/v21.0/${TEST_PHONE_NUMBER_ID}/messages`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'ok?' } }),
      });
      expect(res.status).toBe(200);
      expect(clock.pendingTimers()).toBe(1);
      expect(receiver.attempts).toEqual([]);
      clock.advance(1000);
      await waitFor('"sent" once the fake clock reaches it', () => receiver.accepted.length === 1);
      await waitFor('the delivered one to leave the outbox', () => sandbox.pendingWebhooks() === 3); // delivered, read, the reply
      await sandbox.close();
      expect(clock.pendingTimers()).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
