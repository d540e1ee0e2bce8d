// Two relays in this process on one data folder: a long poll opened on one is served through the other, the home
// believes only the console address the other vouches for, and a session whose home is gone is answered as a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeOf } from '../domain/poll-home';
import { startTestRelay, type TestRelay } from '../test-support/relay-harness';
import { FORWARD_HEADER } from './forwarded-source';

let front: TestRelay;
let home: TestRelay;

beforeAll(async () => {
  // The front trusts the loopback proxy in front of it, as a relay behind nginx would.
  front = await startTestRelay({ env: { RELAY_TRUSTED_PROXIES: '127.0.0.1' } });
  home = await startTestRelay({ dataDir: front.dataDir, token: front.token });
}, 30_000);

afterAll(async () => {
  await front.stop();
  await home.stop();
});

async function openOn(relay: TestRelay, device: string): Promise<string> {
  const res = await fetch(`${relay.relay.url}/v1/poll?v=2&device=${device}`, { method: 'POST', headers: { authorization: `Bearer ${front.token}` } });
  expect(res.status).toBe(200);
  const { sessionId } = (await res.json()) as { sessionId: string };
  return sessionId;
}

async function receive(relay: TestRelay, sessionId: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${relay.relay.url}/v1/poll/${sessionId}`, { headers: { authorization: `Bearer ${front.token}`, ...headers } });
  return { status: res.status, body: await res.json() };
}

function sendFrames(relay: TestRelay, sessionId: string, frames: unknown[], token = front.token): Promise<Response> {
  return fetch(`${relay.relay.url}/v1/poll/${sessionId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ frames }),
  });
}

/** Receives through `relay` until a frame matches, at most `rounds` GETs (each held at most the hold time). */
async function receiveUntil(relay: TestRelay, sessionId: string, matches: (frame: { type?: string; id?: string }) => boolean, rounds = 10) {
  for (let i = 0; i < rounds; i++) {
    const { status, body } = await receive(relay, sessionId);
    expect(status).toBe(200);
    const found = ((body as { frames?: { type?: string; id?: string }[] }).frames ?? []).find(matches);
    if (found !== undefined) return found;
  }
  throw new Error(`no matching frame in ${rounds} receives`);
}

describe('long polls across relay instances on one database', () => {
  it('serves a session opened on one instance through the other: its hello, its requests and their answers', async () => {
    const sessionId = await openOn(home, 'ana-poll-1');
    expect(await receiveUntil(front, sessionId, (f) => f.type === 'hello')).toMatchObject({ type: 'hello', protocol: 2 });
    const sent = await sendFrames(front, sessionId, [{ type: 'req', id: 'r-1', method: 'conversations.list', params: {}, deadlineMs: 10_000 }]);
    expect(sent.status).toBe(204);
    expect(await receiveUntil(front, sessionId, (f) => f.type === 'res' && f.id === 'r-1')).toMatchObject({ ok: true });
  });

  it('lets the home see the console’s address as the instance in front saw it, and believe no one else’s claim', async () => {
    const sessionId = await openOn(home, 'ana-poll-2');
    // A wrong token through the front, from a console behind the front's trusted proxy: the home refuses it, by that address.
    const refused = await sendFrames(front, sessionId, [], 'blt_wrong-token-wrong-token-wrong');
    expect(refused.status).toBe(401);
    const viaFront = await fetch(`${front.relay.url}/v1/poll/${sessionId}`, {
      headers: { authorization: 'Bearer blt_wrong-token-wrong-token-wrong', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(viaFront.status).toBe(401);
    // The same claim made to the home directly, with a forward header nobody signed: the socket's address counts.
    const forged = await fetch(`${home.relay.url}/v1/poll/${sessionId}`, {
      headers: {
        authorization: 'Bearer blt_wrong-token-wrong-token-wrong',
        'x-forwarded-for': '198.51.100.9',
        [FORWARD_HEADER]: 'v1.0123.1.MTk4LjUxLjEwMC45.x',
      },
    });
    expect(forged.status).toBe(401);
    const refusals = home.logLines.filter((l) => l.includes('agent.auth_refused') && l.includes('"door":"poll"'));
    expect(refusals.some((l) => l.includes('"source":"203.0.113.7"'))).toBe(true);
    expect(home.logLines.some((l) => l.includes('198.51.100.9'))).toBe(false);
    expect(front.logLines.some((l) => l.includes('agent.auth_refused'))).toBe(false);
  });

  it('never passes a request on twice: one that says it was passed on already finds no home but this one', async () => {
    const sessionId = await openOn(home, 'ana-poll-3');
    expect(await receive(front, sessionId, { [FORWARD_HEADER]: 'anything' })).toEqual({
      status: 200,
      body: { closed: { code: 1012, reason: 'relay restarting' } },
    });
    // The session itself is untouched at its home.
    expect(await receiveUntil(home, sessionId, (f) => f.type === 'hello')).toMatchObject({ type: 'hello' });
  });

  it('tells a console whose session’s home stopped what a restarting relay tells it, once its token passes', async () => {
    const sessionId = await openOn(home, 'ana-poll-4');
    await home.stop();
    expect(await receive(front, sessionId)).toEqual({ status: 200, body: { closed: { code: 1012, reason: 'relay restarting' } } });
    const sent = await sendFrames(front, sessionId, [{ type: 'ack', seq: 0 }]);
    expect(sent.status).toBe(404);
    expect(await sent.json()).toMatchObject({ error: { code: 'not_found', message: 'no such poll session; open a new one' } });
    expect((await sendFrames(front, sessionId, [], 'blt_wrong-token-wrong-token-wrong')).status).toBe(401);
    // IT can see which instance went and who noticed (gone from the registry, or still listed but refusing connections).
    const noticed = front.logLines.filter((l) => /"event":"poll\.home_(gone|unreachable)"/.test(l) && l.includes(`"homeId":"${homeOf(sessionId)}"`));
    expect(noticed).not.toEqual([]);
  });
});
