// Fault injection over real HTTP: 500s, throttling, hung sends (recorded or not), and release on close().
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  authHeaders,
  startSandboxFixture,
  statusesOf,
  TEST_PHONE_NUMBER_ID,
  waitFor,
  type Receiver,
  type SandboxFixture,
  type SandboxServer,
} from './sandbox-test-harness';

const CUSTOMER = '972541234567';

let running: SandboxFixture;
let receiver: Receiver;
let server: SandboxServer;

beforeEach(async () => {
  running = await startSandboxFixture();
  ({ receiver, server } = running);
});

afterEach(() => running.close());

const setFault = async (graph: unknown): Promise<Response> =>
  fetch(`${server.baseUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ graph }) });

const getFault = async (): Promise<unknown> => (await fetch(`${server.baseUrl}/sandbox/faults`)).json();

const send = (body: string, signal?: AbortSignal): Promise<Response> =>
  fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body }, biz_opaque_callback_data: `op-${body}` }),
    ...(signal === undefined ? {} : { signal }),
  });

const ledgerTexts = (): (string | undefined)[] => server.sandbox.outbound(CUSTOMER).map((e) => e.text);

describe('fault settings', () => {
  it('starts with none, reports what is set and counts down to none', async () => {
    expect(await getFault()).toEqual({ graph: { mode: 'none', count: 0 } });
    expect((await setFault({ mode: 'error500', count: 2 })).status).toBe(200);
    expect(await getFault()).toEqual({ graph: { mode: 'error500', count: 2 } });
    await send('a');
    expect(await getFault()).toEqual({ graph: { mode: 'error500', count: 1 } });
    await send('b');
    expect(await getFault()).toEqual({ graph: { mode: 'none', count: 0 } });
  });

  it('refuses unknown modes and bad counts', async () => {
    expect((await setFault({ mode: 'explode', count: 1 })).status).toBe(400);
    expect((await setFault({ mode: 'hang', count: 0 })).status).toBe(400);
    expect((await setFault({ mode: 'hang', count: 1.5 })).status).toBe(400);
    expect((await fetch(`${server.baseUrl}/sandbox/faults`, { method: 'POST', body: 'nope' })).status).toBe(400);
  });

  it('"none" clears a pending fault', async () => {
    await setFault({ mode: 'throttle', count: 5 });
    await setFault({ mode: 'none' });
    expect((await send('fine')).status).toBe(200);
  });
});

describe('fault modes', () => {
  it('error500: HTTP 500 with Graph code 131000, nothing recorded, then back to normal', async () => {
    await setFault({ mode: 'error500', count: 1 });
    const failed = await send('first');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { code: 131000, type: 'OAuthException' } });
    expect((await send('second')).status).toBe(200);
    expect(ledgerTexts()).toEqual(['second']);
  });

  it("throttle: Meta's 130429 body with HTTP 400, nothing recorded", async () => {
    await setFault({ mode: 'throttle', count: 2 });
    for (const text of ['a', 'b']) {
      const res = await send(text);
      expect(res.status).toBe(400);
      const { error } = z
        .object({ error: z.looseObject({ code: z.number(), message: z.string(), error_data: z.looseObject({ details: z.string() }) }) })
        .parse(await res.json());
      expect(error).toMatchObject({
        code: 130429,
        message: '(#130429) Rate limit hit',
        error_data: { details: 'Cloud API message throughput has been reached.' },
      });
    }
    expect((await send('c')).status).toBe(200);
    expect(ledgerTexts()).toEqual(['c']);
  });

  it('faults do not consume invalid sends or mark-reads', async () => {
    await setFault({ mode: 'error500', count: 1 });
    const invalid = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ messaging_product: 'whatsapp', to: 'x' }),
    });
    expect(invalid.status).toBe(400);
    const read = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' }),
    });
    expect(read.status).toBe(200);
    expect(await getFault()).toEqual({ graph: { mode: 'error500', count: 1 } });
  });

  it('hang: never answers, records nothing, sends no status; close() releases the socket', async () => {
    await setFault({ mode: 'hang', count: 1 });
    const pending = send('lost');
    const outcome = pending.then(
      (res) => `answered ${res.status}`,
      () => 'connection closed',
    );
    // The next send is answered while the first still hangs.
    expect((await send('after')).status).toBe(200);
    await waitFor('statuses of the second send', () => receiver.accepted.length === 3);
    expect(ledgerTexts()).toEqual(['after']);

    await server.close();
    expect(await outcome).toBe('connection closed');
    expect(receiver.accepted.every((w) => !w.raw.includes('op-lost'))).toBe(true);
  });

  it('hang: a client that gives up frees the request without waiting for close()', async () => {
    await setFault({ mode: 'hang', count: 1 });
    const controller = new AbortController();
    const pending = send('abandoned', controller.signal).catch((error: unknown) => error);
    await waitFor('the hang to be used up', async () => ((await getFault()) as { graph: { mode: string } }).graph.mode === 'none');
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect((await send('next')).status).toBe(200);
  });

  it('accept_then_hang: recorded and webhooks sent (with biz_opaque) but never answered; close() releases it', async () => {
    await setFault({ mode: 'accept_then_hang', count: 1 });
    const outcome = send('limbo').then(
      (res) => `answered ${res.status}`,
      () => 'connection closed',
    );
    const [entry] = await waitFor('the ledger entry', () => server.sandbox.outbound(CUSTOMER).length === 1 && server.sandbox.outbound(CUSTOMER));
    expect(entry).toMatchObject({ text: 'limbo', bizOpaque: 'op-limbo' });
    await waitFor('its three statuses', () => statusesOf(receiver.accepted, entry!.wamid).length === 3);
    expect(receiver.accepted.every((w) => w.raw.includes('"biz_opaque_callback_data":"op-limbo"'))).toBe(true);

    await server.close();
    expect(await outcome).toBe('connection closed');
  });
});
