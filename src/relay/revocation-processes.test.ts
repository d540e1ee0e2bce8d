// Several relay processes on one data folder: what one takes reaches devices on the other, and revocation is immediate
// across them: `agents revoke` run as its own process ends every WebSocket and long-poll session of that agent on both
// — one that only answers pings included — with 4001 within 5 seconds, device sessions (access and refresh tokens)
// included; a change of teams ends them with 4011 the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_V2, connectWebSocket, openPollSession, type Connection } from './test-support/docs-client';
import { signBody } from './test-support/relay-harness';
import { OFFLINE_RELAY_ENV, printedToken, relayCommand, startRelayProcess, type RelayProcess } from './test-support/relay-processes';
import { messageDelivery, person, text } from './webhook/delivery-kit';

/** What the issue promises: every session of a revoked agent ends within this long of the command. */
const PROMISED_MS = 5_000;

let dataDir: string;
const relays: RelayProcess[] = [];
const sockets: WebSocket[] = [];
const polls: Connection[] = [];

/** A device that does nothing but answer the relay's pings: it never sends a request that could notice the revocation. */
function quietSocket(baseUrl: string, token: string, device: string): Promise<{ closed: Promise<number> }> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/agent?device=${device}`, [PROTOCOL_V2], { headers: { authorization: `Bearer ${token}` } });
  sockets.push(ws);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'ping') ws.send('{"type":"pong"}');
      if (frame.type === 'hello') resolve({ closed });
    });
    void closed.then((code) => reject(new Error(`closed (${code}) before hello`)));
  });
}

/** Every session of `agentId` on both relays: a quiet socket and a poll on each. */
async function sessionsOf(token: string, agentId: string): Promise<{ what: string; closed: Promise<number> }[]> {
  const all: { what: string; closed: Promise<number> }[] = [];
  for (const [i, relay] of relays.entries()) {
    all.push({ what: `socket on relay ${i + 1}`, closed: (await quietSocket(relay.url, token, `${agentId}-ws-${i}`)).closed });
    const poll = await openPollSession({ baseUrl: relay.url, token, device: `${agentId}-poll-${i}`, version: 2 });
    polls.push(poll);
    // A new device resyncs (nothing to page here) and acks head: its state is built under the agent's access now.
    await poll.ack((await poll.hello()).head);
    all.push({ what: `poll on relay ${i + 1}`, closed: poll.closed.then((c) => c.code) });
  }
  return all;
}

/** Resolves with each session's close code, or names the ones still open `PROMISED_MS` after the command returned. */
async function closedWithin(sessions: { what: string; closed: Promise<number> }[]): Promise<number[]> {
  const open = new Set(sessions.map((s) => s.what));
  const codes = sessions.map((s) => s.closed.then((code) => (open.delete(s.what), code)));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still open ${PROMISED_MS} ms after the command: ${[...open].join(', ')}`)), PROMISED_MS);
  });
  try {
    return await Promise.race([Promise.all(codes), late]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-revoke-'));
  relays.push(await startRelayProcess(dataDir));
  relays.push(await startRelayProcess(dataDir));
}, 60_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  for (const poll of polls) poll.dispose();
  await Promise.all(relays.map((r) => r.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('several relay processes serving one data folder', () => {
  it('a customer message one process takes reaches a device connected to the other', async () => {
    const token = printedToken(await relayCommand(['agents', 'add', 'dave', '--name', 'Dave Cohen'], dataDir));
    const device = connectWebSocket({ baseUrl: relays[1]!.url, token, device: 'dave-1', protocols: [PROTOCOL_V2] });
    polls.push(device);
    await device.hello();
    const { body } = messageDelivery(person({ waId: '972541112233', name: 'Dana Levi' }), text('Written to the first process'));
    const res = await fetch(`${relays[0]!.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, OFFLINE_RELAY_ENV['WHATSAPP_APP_SECRET']) },
      body,
    });
    expect(res.status).toBe(200);
    const frame = await device.waitFor(
      (f) => f.type === 'events' && f.events.some((e) => e.event.kind === 'message.created'),
      'the message on the other process',
    );
    expect(JSON.stringify(frame)).toContain('Written to the first process');
  }, 60_000);
});

describe('access changes made from the command line reach every relay process serving the data', () => {
  it('agents revoke ends every socket and poll of the agent, on both processes, with 4001 within 5 s', async () => {
    const token = printedToken(await relayCommand(['agents', 'add', 'bob', '--name', 'Bob Levi'], dataDir));
    const sessions = await sessionsOf(token, 'bob');
    await relayCommand(['agents', 'revoke', 'bob'], dataDir);
    expect(await closedWithin(sessions)).toEqual(sessions.map(() => 4001));
    // And the token opens nothing any more.
    const again = await quietSocket(relays[1]!.url, token, 'bob-again').catch((error: Error) => error.message);
    expect(again).toMatch(/closed \(4001\) before hello/);
  }, 60_000);

  it('agents revoke ends the agent’s device sessions: the socket of an access token closes 4001 and the refresh token is refused', async () => {
    const token = printedToken(await relayCommand(['agents', 'add', 'erin', '--name', 'Erin Katz'], dataDir));
    const signIn = await fetch(`${relays[0]!.url}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant: 'agent_token', token, deviceId: 'erin-desk' }),
    });
    expect(signIn.status).toBe(200);
    const session = (await signIn.json()) as { accessToken: string; refreshToken: string };
    // The session's socket is on the other process: revocation reaches it through the shared data, not this one's memory.
    const socket = await quietSocket(relays[1]!.url, session.accessToken, 'erin-desk');
    await relayCommand(['agents', 'revoke', 'erin'], dataDir);
    expect(await closedWithin([{ what: 'session socket on relay 2', closed: socket.closed }])).toEqual([4001]);
    const refresh = await fetch(`${relays[0]!.url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: session.refreshToken, deviceId: 'erin-desk' }),
    });
    expect(refresh.status).toBe(401);
  }, 60_000);

  it('agents set --team ends the agent’s sessions with 4011; they reconnect to a resync', async () => {
    await relayCommand(['teams', 'add', 'south', '--name', 'South branch'], dataDir);
    const token = printedToken(await relayCommand(['agents', 'add', 'carol', '--name', 'Carol Mizrahi'], dataDir));
    const sessions = await sessionsOf(token, 'carol');
    await relayCommand(['agents', 'set', 'carol', '--team', 'south'], dataDir);
    expect(await closedWithin(sessions)).toEqual(sessions.map(() => 4011));
    const since = polls.at(-2)!.helloFrame!.head; // the first relay's poll, caught up before the change
    const poll = await openPollSession({ baseUrl: relays[0]!.url, token, device: 'carol-poll-0', since, version: 2 });
    polls.push(poll);
    expect(await poll.hello()).toMatchObject({ mode: 'resync', agent: { teams: [{ id: 'south', name: 'South branch' }] } });
  }, 60_000);
});
