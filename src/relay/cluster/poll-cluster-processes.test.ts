// Three relay processes on one data folder behind a plain round-robin TCP balancer, and a console on long polling that
// opens a new connection for every request, so its GETs and POSTs land on every instance: it hears what any instance
// takes and the answers to its requests; when its session's home is killed it is told to reopen, and resumes from its
// acked seq through the balancer without losing an event.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeOf } from '../domain/poll-home';
import { openPollSession, type EventEnvelope, type PollConnection } from '../test-support/docs-client';
import { signBody } from '../test-support/relay-harness';
import { OFFLINE_RELAY_ENV, printedToken, relayCommand, startRelayProcess, type RelayProcess } from '../test-support/relay-processes';
import { startTcpBalancer, type TcpBalancer } from '../test-support/tcp-balancer';
import { messageDelivery, person, text } from '../webhook/delivery-kit';

/**
 * fetch over a new TCP connection per request, as behind a proxy that keeps none: the global fetch would keep one
 * connection per concurrent request, and the balancer, which routes connections, would send every GET to one instance.
 */
const freshConnectionFetch: typeof fetch = (input, init) =>
  new Promise((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const req = http.request(url, { method: init?.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve(new Response(status === 204 ? null : Buffer.concat(chunks).toString('utf8'), { status }));
      });
    });
    init?.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
    req.on('error', reject);
    req.end(typeof init?.body === 'string' ? init.body : undefined);
  });

let dataDir: string;
let token: string;
let balancer: TcpBalancer;
const relays: RelayProcess[] = [];
const polls: PollConnection[] = [];
/** The seq the console acked (committed) before its session's home was killed. */
let acked = 0;

const portOf = (relay: RelayProcess) => Number(new URL(relay.url).port);

/** A customer's message, posted as Meta does: a 5xx is delivered again (three tries here, Meta keeps at it for days). */
async function customerWrites(relay: RelayProcess, words: string): Promise<void> {
  const { body } = messageDelivery(person({ waId: '972541112244', name: 'Noa Peretz' }), text(words));
  let status = 0;
  // Three processes writing one SQLite file on a loaded machine may meet "database is locked"; Meta's retry covers it.
  for (let attempt = 0; attempt < 3 && status !== 200; attempt++) {
    const res = await fetch(`${relay.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, OFFLINE_RELAY_ENV['WHATSAPP_APP_SECRET']) },
      body,
    });
    status = res.status;
  }
  expect(status, `webhook answered ${status} three times; the relay's last lines: ${relay.log.slice(-4).join(' | ')}`).toBe(200);
}

const carrying = (words: string) => (frame: { type: string }) => frame.type === 'events' && JSON.stringify(frame).includes(words);
const bodiesOf = (envelopes: readonly EventEnvelope[]) =>
  envelopes.flatMap((e) => (e.event.kind === 'message.created' && typeof e.event.message.content.body === 'string' ? [e.event.message.content.body] : []));

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-pollfwd-'));
  token = printedToken(await relayCommand(['agents', 'add', 'pia', '--name', 'Pia Levi'], dataDir));
  for (let i = 0; i < 3; i++) relays.push(await startRelayProcess(dataDir));
  balancer = await startTcpBalancer(relays.map(portOf));
}, 120_000);

afterAll(async () => {
  for (const poll of polls) poll.dispose();
  await balancer?.close();
  await Promise.all(relays.map((r) => r.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('long polling behind a round-robin balancer over three relay instances', () => {
  it('serves the console whichever instance each request lands on: events taken by any instance, answers to its requests', async () => {
    const poll = await openPollSession({ baseUrl: balancer.url, token, device: 'pia-desk', version: 2, fetch: freshConnectionFetch });
    polls.push(poll);
    await poll.ack((await poll.hello()).head);
    for (const [i, relay] of relays.entries()) {
      await customerWrites(relay, `Taken by instance ${i + 1}`);
      await poll.waitFor(carrying(`Taken by instance ${i + 1}`), `the message taken by instance ${i + 1}`);
    }
    const list = await poll.call<{ conversations: unknown[] }>('conversations.list', {});
    expect(list.conversations).toHaveLength(1);
    acked = poll.envelopes.at(-1)!.seq;
    await poll.ack(acked);
    expect(poll.violations).toEqual([]);
    // Every instance took part: the session lives on one, so the others passed its requests on.
    for (const relay of relays) expect(balancer.served.get(portOf(relay)) ?? 0).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('when the home is killed, tells the console to reopen; it reopens through the balancer and resumes from its acked seq', async () => {
    const poll = polls[0]!;
    // Arrives but is not acked before the kill: the resumed session must bring it again.
    await customerWrites(relays[0]!, 'Arrived, not acked');
    await poll.waitFor(carrying('Arrived, not acked'), 'the unacked message');
    const home = relays.find((r) => r.log.some((line) => line.includes(`"instanceId":"${homeOf(poll.sessionId)}"`)));
    expect(home).toBeDefined();
    const exited = new Promise((resolve) => home!.child.once('exit', resolve));
    home!.child.kill('SIGKILL');
    await exited;
    // The held receive ends: a closed 1012 when another instance held it for the home, a broken connection when the home did.
    expect([1012, 1006]).toContain((await poll.closed).code);

    // Whichever live instance a request for the old session reaches now, it answers as a restarting relay would.
    const sessionUrl = `${balancer.url}/v1/poll/${poll.sessionId}`;
    const authorization = `Bearer ${token}`;
    for (let i = 0; i < 2; i++) {
      const received = await freshConnectionFetch(sessionUrl, { headers: { authorization } });
      expect({ status: received.status, body: await received.json() }).toEqual({ status: 200, body: { closed: { code: 1012, reason: 'relay restarting' } } });
      const sent = await freshConnectionFetch(sessionUrl, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{"frames":[{"type":"pong"}]}',
      });
      expect(sent.status).toBe(404);
    }

    const survivor = relays.find((r) => r !== home)!;
    await customerWrites(survivor, 'Written while the console was away');
    const again = await openPollSession({ baseUrl: balancer.url, token, device: 'pia-desk', since: acked, version: 2, fetch: freshConnectionFetch });
    polls.push(again);
    expect(await again.hello()).toMatchObject({ mode: 'resume' });
    await again.waitFor(carrying('Written while the console was away'), 'the message written while away');
    // Gap-free from acked + 1, with the unacked message again: nothing lost.
    expect(again.violations).toEqual([]);
    expect(again.envelopes[0]!.seq).toBe(acked + 1);
    expect(bodiesOf(again.envelopes)).toEqual(['Arrived, not acked', 'Written while the console was away']);
  }, 120_000);
});
