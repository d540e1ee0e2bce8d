// Acceptance test: a client written from docs/protocol.md alone (test-support/docs-client.ts) against
// the real relay, started with the documented CLI in sandbox mode. Each test names the section of
// the document it checks. Where the document and the relay disagree, the test asserts the document.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openRelayDatabase } from './store/relay-db';
import { LocalStore, PROTOCOL_V2, commitAndAck, connectWebSocket, fetchArrivals, openPollSession, resync, uuidv7 } from './test-support/docs-client';
import type { CloseInfo, Connection, EventEnvelope, Hello, Message, RelayEvent, SendResult, Template, WsConnection } from './test-support/docs-client';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// ---------------------------------------------------------------------------------------------
// Running the relay (the documented CLI) and its sandbox (not part of protocol.md)
// ---------------------------------------------------------------------------------------------

interface Relay {
  baseUrl: string;
  token: string;
  /** Every demo agent's token by id ("demo", "demo-north", "demo-lead"): the sandbox's teams main and north. */
  demoTokens: Record<string, string>;
  dataDir: string;
  process: ChildProcess;
  logTail: string[];
}

function npmRelay(args: string[]): ChildProcess {
  // detached: the relay gets its own process group, so stopping it also stops npm's children.
  return spawn('npm', ['run', '--silent', 'relay', '--', ...args], {
    cwd: REPO,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

async function startRelay(dataDir: string, deadlineMs = 30_000): Promise<Relay> {
  const child = npmRelay(['--sandbox', '--port', '0', '--data', dataDir]);
  const logTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    logTail.push(line);
    if (logTail.length > 50) logTail.shift();
  });
  const stdout: string[] = [];
  const demoTokens: Record<string, string> = {};
  return new Promise<Relay>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      stopProcess(child);
      reject(new Error(`relay did not start: ${why}\nstdout:\n${stdout.join('\n')}\nstderr (last lines):\n${logTail.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`no listening/token lines within ${deadlineMs} ms`), deadlineMs);
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      const listening = /^relay listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(stdout[0] ?? '');
      if (listening?.[1] === undefined) return fail('unexpected first line');
      // The sandbox names its demo agents with their tokens ("demo" is an agent of team main), then its data folder.
      const agent = /^sandbox: demo \w+ "([^"]+)" .*, token (\S+)$/.exec(line);
      if (agent !== null) demoTokens[agent[1]!] = agent[2]!;
      if (line.startsWith('sandbox: data in ')) {
        if (demoTokens['demo'] === undefined) return fail('no token for the demo agent');
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ baseUrl: listening[1], token: demoTokens['demo'], demoTokens, dataDir, process: child, logTail });
      }
    });
  });
}

function stopProcess(child: ChildProcess, deadlineMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, deadlineMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** `npm run relay -- agents …` against the same data directory; resolves with stdout lines. */
function relayCli(args: string[], dataDir: string, deadlineMs = 30_000): Promise<string[]> {
  const child = npmRelay([...args, '--data', dataDir]);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopProcess(child);
      reject(new Error(`relay ${args.join(' ')} did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.split('\n').filter((line) => line.trim() !== ''));
      else reject(new Error(`relay ${args.join(' ')} exited ${code}: ${out}${err}`));
    });
  });
}

async function addAgent(dataDir: string, id: string, name: string): Promise<string> {
  const lines = await relayCli(['agents', 'add', id, '--name', name], dataDir);
  const token = lines[1]?.trim();
  if (token === undefined || token === '') throw new Error(`no token printed by agents add: ${lines.join(' | ')}`);
  return token;
}

async function customerWrites(customer: { waId: string; name: string }, text: string): Promise<string> {
  return sandboxInbound({ from: customer.waId, name: customer.name, text });
}

/** The sandbox's fake customer: a phone number or BSUID, a text, an edit or a deletion of an earlier wamid. */
async function sandboxInbound(input: Record<string, string>): Promise<string> {
  const res = await fetch(`${relay.baseUrl}/sandbox/inbound`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`sandbox inbound: HTTP ${res.status} ${body}`);
  return z.looseObject({ wamid: z.string() }).parse(JSON.parse(body)).wamid;
}

const OutboundEntry = z.looseObject({ wamid: z.string(), to: z.string(), type: z.string(), text: z.string().optional() });
type OutboundEntry = z.infer<typeof OutboundEntry> & Record<string, unknown>;

async function outbound(waId: string): Promise<OutboundEntry[]> {
  const res = await fetch(`${relay.baseUrl}/sandbox/outbound?to=${waId}`);
  if (res.status !== 200) throw new Error(`sandbox outbound: HTTP ${res.status}`);
  return z.looseObject({ messages: z.array(OutboundEntry) }).parse(await res.json()).messages;
}

// ---------------------------------------------------------------------------------------------
// Bounded waits
// ---------------------------------------------------------------------------------------------

/** Re-checks until `check` returns something other than undefined/false, or fails after `timeoutMs`. */
async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Commits and acks whatever arrives until the store satisfies `done`. */
function syncUntil(connection: Connection, what: string, done: (store: LocalStore) => boolean, timeoutMs = 10_000): Promise<true> {
  return until(
    what,
    async () => {
      await commitAndAck(connection, store);
      return done(store);
    },
    timeoutMs,
  );
}

function closedWithin(connection: Connection, timeoutMs = 10_000): Promise<CloseInfo> {
  return Promise.race([
    connection.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs)),
  ]);
}

function seqsOf(envelopes: readonly EventEnvelope[]): number[] {
  return envelopes.map((e) => e.seq);
}

function expectConsecutive(seqs: readonly number[], first: number): void {
  expect(seqs, 'seqs must be consecutive, with no gap and no repeat').toEqual(seqs.map((_, i) => first + i));
}

function createdWithBody(envelopes: readonly EventEnvelope[], body: string): Message[] {
  return envelopes.flatMap((e) => (e.event.kind === 'message.created' && e.event.message.content.body === body ? [e.event.message] : []));
}

function statusesOf(envelopes: readonly EventEnvelope[], messageId: string): string[] {
  return envelopes.flatMap((e) => (e.event.kind === 'message.status' && e.event.messageId === messageId ? [e.event.status] : []));
}

function kindsOf(envelopes: readonly EventEnvelope[]): RelayEvent['kind'][] {
  return envelopes.map((e) => e.event.kind);
}

// ---------------------------------------------------------------------------------------------
// Shared state: one relay, one device ("this desktop") and its committed store
// ---------------------------------------------------------------------------------------------

const DANA = { waId: '972541000001', name: 'Dana Levi' };
const YOSSI = { waId: '972541000002', name: 'Yossi Mizrahi' };
const MAYA = { waId: '972541000003', name: 'Maya Katz' };
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let relay: Relay;
let colleagueToken: string;
let revokeeToken: string;
const device = `desk-${uuidv7()}`;
const store = new LocalStore();
/** The device's current WebSocket connection. */
let live: WsConnection;
let liveHello: Hello;
const extraConnections: Connection[] = [];

function conversationOf(waId: string): string {
  const conversation = [...store.conversations.values()].find((c) => c.customer.waId === waId);
  if (conversation === undefined) throw new Error(`no conversation with ${waId} in the store`);
  return conversation.id;
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-docs-'));
  // A data folder already in use: the sandbox then leaves out its demo customers, and the log holds only this test's.
  openRelayDatabase(dataDir).close();
  relay = await startRelay(dataDir);
  // Agents are added through the CLI while the relay runs (same SQLite file).
  [colleagueToken, revokeeToken] = await Promise.all([addAgent(dataDir, 'colleague', 'Colleague Agent'), addAgent(dataDir, 'revokee', 'Revokee Agent')]);
  // Some history for the first sync to page through.
  await customerWrites(DANA, 'Hello, I need my March statement');
  await customerWrites(DANA, 'It is for the joint account');
  await customerWrites(YOSSI, 'I would like to book an appointment');
  await customerWrites(MAYA, 'My card was blocked');
}, 60_000);

afterAll(async () => {
  for (const connection of [live as Connection | undefined, ...extraConnections]) connection?.dispose();
  if (relay !== undefined) {
    await stopProcess(relay.process);
    rmSync(relay.dataDir, { recursive: true, force: true });
  }
}, 30_000);

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`relay stderr (last ${relay?.logTail.length ?? 0} lines):\n${relay?.logTail.join('\n') ?? ''}`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('protocol.md, implemented from the document alone', () => {
  it('mints clientMessageIds with the RFC 9562 UUIDv7 layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.uint8Array({ minLength: 10, maxLength: 10 }), (ms, random) => {
        const id = uuidv7(ms, random);
        expect(id).toMatch(UUIDV7);
        expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
      }),
    );
    expect(uuidv7(1_763_971_200_000, new Uint8Array(10))).toBe('019ab4e0-7400-7000-8000-000000000000');
  });

  it('1. a brand-new device gets hello "resync", pages the state, and takes head as its cursor', async () => {
    live = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device });
    liveHello = await live.hello();
    expect(liveHello).toMatchObject({ type: 'hello', protocol: 1, mode: 'resync', deviceId: device, agent: { id: 'demo' } });
    expect(typeof liveHello.sessionId).toBe('string');
    expect(liveHello.head, 'four customer messages are in the log').toBeGreaterThanOrEqual(4);
    expect(live.frames[0]?.type, 'hello is the first frame').toBe('hello');

    // Small pages, so that paging is really exercised.
    const paged = await resync(live, store, liveHello, 2);
    expect(paged.total).toBe(3);
    expect(paged.conversationPages).toBe(2);
    expect(store.conversations.size).toBe(3);
    expect(new Set([...store.conversations.values()].map((c) => c.customer.waId))).toEqual(new Set([DANA.waId, YOSSI.waId, MAYA.waId]));
    expect(store.messagesWithBody('Hello, I need my March statement')).toHaveLength(1);
    expect(store.messagesWithBody('It is for the joint account')).toHaveLength(1);
    expect(store.messages.size).toBe(4);
    expect([...store.messages.values()].every((m) => m.direction === 'in' && m.status === 'delivered')).toBe(true);
    expect(store.committedSeq).toBe(liveHello.head);

    // messages.history is newest first and pages with nextCursor.
    const dana = conversationOf(DANA.waId);
    const first = await live.call<{ messages: Message[]; nextCursor: string | null }>('messages.history', { conversationId: dana, limit: 1 });
    expect(first.messages.map((m) => m.content.body)).toEqual(['It is for the joint account']);
    expect(first.nextCursor).not.toBeNull();
    const second = await live.call<{ messages: Message[]; nextCursor: string | null }>('messages.history', {
      conversationId: dana,
      cursor: first.nextCursor,
      limit: 1,
    });
    expect(second.messages.map((m) => m.content.body)).toEqual(['Hello, I need my March statement']);

    // Nothing changed meanwhile, so no event may have been sent.
    expect(live.envelopes).toEqual([]);
    expect(live.violations).toEqual([]);
  });

  it('2. a customer message arrives as events without any request; seqs are consecutive; ack after commit', async () => {
    const text = 'Is the branch open on Friday morning';
    await customerWrites(YOSSI, text);
    await live.waitFor((f) => f.type === 'events' && createdWithBody(f.events, text).length > 0, 'message.created for the customer message');
    await until('conversation.upserted for the customer', () =>
      live.envelopes.some((e) => e.event.kind === 'conversation.upserted' && e.event.conversation.customer.waId === YOSSI.waId),
    );

    expectConsecutive(seqsOf(live.envelopes), liveHello.head + 1);
    const [created] = createdWithBody(live.envelopes, text);
    expect(created).toMatchObject({ direction: 'in', status: 'delivered', content: { type: 'text', body: text } });
    expect(created?.conversationId).toBe(conversationOf(YOSSI.waId));

    // Apply, commit, then ack.
    const acked = await commitAndAck(live, store);
    expect(acked).toBe(live.envelopes.at(-1)?.seq);
    expect(store.messagesWithBody(text)).toHaveLength(1);
    expect(store.conversations.get(conversationOf(YOSSI.waId))?.lastInboundAt).toBeGreaterThan(0);

    // Frames are handled in order: a response after the ack proves the ack raised no error frame.
    const from = live.frames.length;
    await live.call('templates.list', {});
    expect(live.frames.slice(from).filter((f) => f.type === 'error')).toEqual([]);
    expect(live.violations).toEqual([]);
  });

  let sentId: string;
  const sentBody = 'Your March statement is ready at the branch.';

  it('3. messages.send answers "pending", then sent, delivered and read arrive as message.status events', async () => {
    sentId = uuidv7();
    expect(sentId).toMatch(UUIDV7);
    const dana = conversationOf(DANA.waId);
    const res = await live.request('messages.send', { clientMessageId: sentId, conversationId: dana, content: { type: 'text', body: sentBody } });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    const { message } = (res as { result: SendResult }).result;
    expect(message).toMatchObject({
      id: sentId,
      conversationId: dana,
      direction: 'out',
      status: 'pending',
      senderAgentId: 'demo',
      content: { type: 'text', body: sentBody },
    });

    await syncUntil(live, 'the sent message to reach "read" in the store', (s) => s.messages.get(sentId)?.status === 'read');
    expect(statusesOf(live.envelopes, sentId)).toEqual(['sent', 'delivered', 'read']);
    expect(
      createdWithBody(live.envelopes, sentBody).map((m) => m.id),
      'message.created for our own send',
    ).toEqual([sentId]);
    // The first agent to send in an unassigned conversation becomes its assignee.
    await syncUntil(live, 'Dana assigned to demo', (s) => s.conversations.get(dana)?.assignedAgentId === 'demo');

    const sent = await until('the text in /sandbox/outbound', async () => {
      const entries = (await outbound(DANA.waId)).filter((m) => m.text === sentBody);
      return entries.length > 0 && entries;
    });
    expect(sent).toHaveLength(1);
    expect(live.violations).toEqual([]);
  });

  it('4. repeating a send is idempotent; the same clientMessageId with other content is a conflict', async () => {
    const dana = conversationOf(DANA.waId);
    const repeat = await live.request('messages.send', { clientMessageId: sentId, conversationId: dana, content: { type: 'text', body: sentBody } });
    expect(repeat.ok, JSON.stringify(repeat)).toBe(true);
    const { message } = (repeat as { result: SendResult }).result;
    expect(message.id).toBe(sentId);
    expect(message.status, 'the same message, as it stands now').toBe('read');

    // More activity in the same conversation: delivery is in order per conversation, so once this
    // later message reached WhatsApp, a second copy of the first would have reached it before.
    const marker = 'A second note, sent after the retry.';
    const markerRes = await live.request('messages.send', { clientMessageId: uuidv7(), conversationId: dana, content: { type: 'text', body: marker } });
    expect(markerRes.ok, JSON.stringify(markerRes)).toBe(true);
    await until('the later message in /sandbox/outbound', async () => (await outbound(DANA.waId)).some((m) => m.text === marker));
    expect(
      (await outbound(DANA.waId)).filter((m) => m.text === sentBody),
      'the repeated send reached WhatsApp once',
    ).toHaveLength(1);

    const conflict = await live.request('messages.send', {
      clientMessageId: sentId,
      conversationId: dana,
      content: { type: 'text', body: 'Something else entirely.' },
    });
    expect(conflict.ok).toBe(false);
    expect(conflict.ok === false && conflict.error).toMatchObject({ code: 'conflict', retryable: false });

    await syncUntil(live, 'the later message to be read', (s) => s.messagesWithBody(marker)[0]?.status === 'read');
    expect(live.violations).toEqual([]);
  });

  it('5. after an abrupt drop, since = last committed seq resumes with nothing missed or repeated', async () => {
    await commitAndAck(live, store);
    const committed = store.committedSeq!;
    await live.terminate();

    const missed = ['Resume test one', 'Resume test two', 'Resume test three'];
    for (const text of missed) await customerWrites(MAYA, text);

    // Resume: every event after `since` follows, in order.
    const resumed = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device, since: committed });
    live = resumed;
    const hello = await resumed.hello();
    expect(hello.mode).toBe('resume');
    expect(hello.head).toBeGreaterThanOrEqual(committed + missed.length);
    await until(`events up to head ${hello.head}`, () => (resumed.envelopes.at(-1)?.seq ?? 0) >= hello.head);
    expectConsecutive(seqsOf(resumed.envelopes), committed + 1);
    for (const text of missed) expect(createdWithBody(resumed.envelopes, text), text).toHaveLength(1);
    await commitAndAck(resumed, store);
    for (const text of missed) expect(store.messagesWithBody(text), text).toHaveLength(1);

    // Events received but not committed are sent again after a reconnect from the committed seq.
    const committedBeforeCrash = store.committedSeq!;
    const uncommittedTexts = ['Not yet committed one', 'Not yet committed two'];
    for (const text of uncommittedTexts) await customerWrites(MAYA, text);
    await until('the uncommitted messages to be received', () => uncommittedTexts.every((text) => createdWithBody(resumed.envelopes, text).length === 1));
    const received = resumed.envelopes.filter((e) => e.seq > committedBeforeCrash);
    // The device applied them but crashed before committing its cursor.
    for (const envelope of received) store.apply(envelope.event);
    const appliedOnce = received.map((e) => structuredClone(stateTouchedBy(e.event)));
    expect(resumed.violations).toEqual([]);
    await resumed.terminate();

    const again = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device, since: committedBeforeCrash });
    live = again;
    const helloAgain = await again.hello();
    expect(helloAgain.mode).toBe('resume');
    await until('the uncommitted events to be re-sent', () => (again.envelopes.at(-1)?.seq ?? 0) >= (received.at(-1)?.seq ?? Infinity));
    expect(again.envelopes.slice(0, received.length), 'the same events, with the same seqs').toEqual(received);
    expectConsecutive(seqsOf(again.envelopes), committedBeforeCrash + 1);

    await commitAndAck(again, store);
    expect(store.committedSeq).toBe(again.envelopes.at(-1)?.seq);
    expect(
      received.map((e) => stateTouchedBy(e.event)),
      'applying twice changed nothing',
    ).toEqual(appliedOnce);
    for (const text of [...missed, ...uncommittedTexts]) expect(store.messagesWithBody(text), text).toHaveLength(1);
    expect(again.violations).toEqual([]);
  });

  it('6. bad input gets an error frame (or an error res) and the connection stays usable', async () => {
    const errorAfter = async (send: () => Promise<void>, what: string) => {
      const from = live.frames.length;
      await send();
      return live.waitFor((f) => f.type === 'error', `error frame for ${what}`, { from });
    };

    const invalidJson = await errorAfter(() => live.sendRaw('{"type":"req","id":'), 'invalid JSON');
    expect(invalidJson).toMatchObject({ type: 'error', error: { code: 'invalid_input', retryable: false } });

    const unknownType = await errorAfter(() => live.sendRaw(JSON.stringify({ type: 'subscribe', topic: 'all' })), 'an unknown frame type');
    expect(unknownType).toMatchObject({ type: 'error', error: { code: 'invalid_input' } });

    const noId = await errorAfter(() => live.sendRaw(JSON.stringify({ type: 'req', method: 'templates.list', params: {} })), 'a request without id');
    expect(noId).toMatchObject({ type: 'error', error: { code: 'invalid_input' } });

    const wrongTypes = await errorAfter(() => live.sendRaw(JSON.stringify({ type: 'ack', seq: 'latest' })), 'an ack with a string seq');
    expect(wrongTypes).toMatchObject({ type: 'error', error: { code: 'invalid_input' } });

    const tooFar = await errorAfter(() => live.ack((store.committedSeq ?? 0) + 1_000), 'an ack beyond what was sent');
    expect(tooFar.type).toBe('error');

    const unknown = await live.request('accounts.balance', {});
    expect(unknown.ok).toBe(false);
    expect(unknown.ok === false && unknown.error).toMatchObject({ code: 'unknown_method', retryable: false });

    const { templates } = await live.call<{ templates: Template[] }>('templates.list', {});
    expect(templates.length).toBeGreaterThan(0);
    expect(live.closeInfo).toBeUndefined();
    expect(live.violations).toEqual([]);
  });

  function openProbe(options: Partial<Parameters<typeof connectWebSocket>[0]>): WsConnection {
    const connection = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: `probe-${uuidv7()}`, ...options });
    extraConnections.push(connection);
    return connection;
  }

  it('7a. close codes: a wrong token gets 4001, a handshake without device 1008', async () => {
    const wrongToken = openProbe({ token: 'blt_this-is-not-a-token' });
    expect((await closedWithin(wrongToken)).code, 'wrong token').toBe(4001);
    expect(wrongToken.frames, 'no hello for a wrong token').toEqual([]);

    const noDevice = openProbe({ device: undefined });
    expect((await closedWithin(noDevice)).code, 'handshake without device').toBe(1008);
  });

  it('7b. close codes: offering only "branchline.v3" gets 4002', async () => {
    // Section "Connecting": the relay accepts the upgrade, checks the version, and closes with 4002.
    // A client that offered subprotocols fails the handshake itself (`ws` and browsers alike) when
    // the 101 response names none of them, so the relay must name one for the 4002 to be seen.
    const v3 = openProbe({ protocols: ['branchline.v3'] });
    const v3Close = await closedWithin(v3);
    expect(v3Close, `offering only branchline.v3 (close reason: "${v3Close.reason}")`).toMatchObject({ code: 4002 });
  });

  it('7c. close codes: a frame of maxFrameBytes is taken, one byte more gets 1009', async () => {
    const big = openProbe({});
    const { maxFrameBytes } = await big.hello();
    const frameOf = (bytes: number): string => {
      const shell = JSON.stringify({ type: 'ping', padding: '' });
      return JSON.stringify({ type: 'ping', padding: 'x'.repeat(bytes - shell.length) });
    };
    expect(Buffer.byteLength(frameOf(maxFrameBytes))).toBe(maxFrameBytes);
    const from = big.frames.length;
    await big.sendRaw(frameOf(maxFrameBytes));
    await big.waitFor((f) => f.type === 'pong', 'pong to a ping of exactly maxFrameBytes', { from });
    await big.sendRaw(frameOf(maxFrameBytes + 1));
    expect((await closedWithin(big)).code, 'frame of maxFrameBytes + 1').toBe(1009);
  });

  it('7d. close codes: a revoked agent is cut off (4001 or unauthorized) and refused with 4001 afterwards', async () => {
    // The document promises 4001 for a revoked token ("Close codes") and names the error
    // `unauthorized` for "token missing or revoked" ("Errors"), but does not say when an open
    // connection notices: accept either a 4001 close or `unauthorized` answers on the open one.
    const revokee = openProbe({ token: revokeeToken });
    expect((await revokee.hello()).agent.id).toBe('revokee');
    expect((await revokee.request('templates.list', {})).ok, 'works before revocation').toBe(true);
    await relayCli(['agents', 'revoke', 'revokee'], relay.dataDir);
    const outcome = await until(
      'the revoked agent to be closed with 4001 or refused with unauthorized',
      async () => {
        const closedAs = (): string | undefined => (revokee.closeInfo === undefined ? undefined : `closed ${revokee.closeInfo.code}`);
        if (closedAs() !== undefined) return closedAs();
        const res = await revokee.request('templates.list', {}).catch(() => undefined);
        if (closedAs() !== undefined) return closedAs();
        if (res !== undefined && !res.ok) return `refused ${res.error.code}`;
        return undefined;
      },
      10_000,
    );
    expect(['closed 4001', 'refused unauthorized']).toContain(outcome);
    const afterRevoke = openProbe({ token: revokeeToken });
    expect((await closedWithin(afterRevoke)).code, 'connecting with a revoked token').toBe(4001);
  });

  it('7e. close codes: a newer connection of the same device closes the older one with 4009', async () => {
    const sameDevice = `probe-${uuidv7()}`;
    const older = openProbe({ device: sameDevice });
    await older.hello();
    const newer = openProbe({ device: sameDevice });
    expect((await newer.hello()).deviceId).toBe(sameDevice);
    expect((await closedWithin(older)).code, 'the superseded connection').toBe(4009);
    expect((await newer.request('templates.list', {})).ok, 'the newer connection works').toBe(true);
  });

  it('8. long polling carries the same frames; the session is bound to its agent', async () => {
    const badToken = await fetch(`${relay.baseUrl}/v1/poll?v=1&device=poll-x`, { method: 'POST', headers: { Authorization: 'Bearer nope' } });
    expect(badToken.status).toBe(401);
    const badVersion = await fetch(`${relay.baseUrl}/v1/poll?v=3&device=poll-x`, { method: 'POST', headers: { Authorization: `Bearer ${relay.token}` } });
    expect(badVersion.status).toBe(400);

    const poll = await openPollSession({ baseUrl: relay.baseUrl, token: relay.token, device: `poll-${uuidv7()}` });
    extraConnections.push(poll);
    const hello = await poll.hello();
    expect(poll.frames[0]?.type, 'hello first').toBe('hello');
    expect(hello).toMatchObject({ protocol: 1, mode: 'resync', agent: { id: 'demo' } });

    const text = 'Writing while the console is on long polling';
    await customerWrites(DANA, text);
    await poll.waitFor((f) => f.type === 'events' && createdWithBody(f.events, text).length > 0, 'the customer message over long polling');
    expectConsecutive(seqsOf(poll.envelopes), hello.head + 1);
    expect(kindsOf(poll.envelopes)).toContain('conversation.upserted');

    const res = await poll.request('templates.list', {});
    expect(res.ok, JSON.stringify(res)).toBe(true);
    await poll.ack(poll.envelopes.at(-1)!.seq); // sendFrames checks for 204

    // Another agent's token on this session: 403, for receive and for send.
    const asColleague = { Authorization: `Bearer ${colleagueToken}` };
    const foreignGet = await fetch(poll.sessionUrl, { headers: asColleague });
    expect(foreignGet.status).toBe(403);
    const foreignPost = await fetch(poll.sessionUrl, {
      method: 'POST',
      headers: { ...asColleague, 'Content-Type': 'application/json' },
      body: JSON.stringify({ frames: [{ type: 'ping' }] }),
    });
    expect(foreignPost.status).toBe(403);

    // The owner's session is unaffected.
    expect((await poll.request('templates.list', {})).ok).toBe(true);
    expect(poll.closeInfo).toBeUndefined();
    expect(poll.violations).toEqual([]);
    poll.stop();
  });

  it('9. free text to a number that never wrote needs a template; the template is sent', async () => {
    const stranger = '972549876543';
    const refused = await live.request('messages.send', {
      clientMessageId: uuidv7(),
      waId: stranger,
      content: { type: 'text', body: 'Hello from your branch.' },
    });
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.error).toMatchObject({ code: 'template_required', retryable: false });

    const { templates } = await live.call<{ templates: Template[] }>('templates.list', {});
    const template = templates[0]!;
    expect(template.body.match(/\{\{\d+\}\}/g)?.length).toBe(template.parameterCount);
    const parameters = Array.from({ length: template.parameterCount }, (_, i) => `Value ${i + 1}`);
    const content = { type: 'template', name: template.name, language: template.language, parameters };
    const res = await live.request('messages.send', { clientMessageId: uuidv7(), waId: stranger, content });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    const { message } = (res as { result: SendResult }).result;
    expect(message).toMatchObject({ direction: 'out', status: 'pending', content });

    const entries = await until('the template in /sandbox/outbound', async () => {
      const found = await outbound(stranger);
      return found.length > 0 && found;
    });
    expect(entries.map((e) => e.type)).toEqual(['template']);
    // `waId` started a conversation: it reaches the store through events.
    await syncUntil(live, 'the new conversation in the store', (s) => [...s.conversations.values()].some((c) => c.customer.waId === stranger));
    expect(store.messages.get(message.id)?.content).toMatchObject(content);
    expect(live.violations).toEqual([]);
  });
});

describe('protocol.md version 2, implemented from the document alone', () => {
  it('10. a v2 connection gets a customer without a phone number, an edit and a deletion; the v1 device keeps a gap-free stream', async () => {
    const v2store = new LocalStore();
    const v2 = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: `desk-v2-${uuidv7()}`, protocols: [PROTOCOL_V2] });
    extraConnections.push(v2);
    const hello = await v2.hello();
    expect(hello).toMatchObject({ protocol: 2, mode: 'resync' });
    await resync(v2, v2store, hello);
    const v1From = live.envelopes.length;

    const noa = { bsuid: 'US.13491208655302741918', username: 'noa.k', name: 'Noa' };
    await sandboxInbound({ ...noa, text: 'Hi, my number is hidden' });
    const original = await customerWrites(DANA, 'My account is 12-345-678');
    await sandboxInbound({ from: DANA.waId, name: DANA.name, kind: 'edit', targetWamid: original, text: 'My account is 12-345-679' });
    const mistaken = await customerWrites(DANA, 'Sent by mistake');
    await sandboxInbound({ from: DANA.waId, name: DANA.name, kind: 'delete', targetWamid: mistaken });

    // Section "Events": message.updated replaces the stored copy; section "Conversation": waId may be null.
    const edited = (s: LocalStore) => [...s.messages.values()].find((m) => m.content.body === 'My account is 12-345-679');
    const deleted = (s: LocalStore) => [...s.messages.values()].find((m) => m.content.type === 'deleted');
    const hidden = (s: LocalStore) => [...s.conversations.values()].find((c) => c.customer.bsuid === noa.bsuid);
    await until('the v2 store to hold the edit, the deletion and the customer without a number', async () => {
      await commitAndAck(v2, v2store);
      return edited(v2store) !== undefined && deleted(v2store) !== undefined && hidden(v2store) !== undefined;
    });
    expect(kindsOf(v2.envelopes)).toContain('message.updated');
    expect(hidden(v2store)?.customer).toMatchObject({ waId: null, username: noa.username });
    expect(edited(v2store)?.edited?.previous).toEqual([{ type: 'text', body: 'My account is 12-345-678' }]);
    expect(v2store.messagesWithBody('My account is 12-345-678'), 'the edit replaced the copy').toEqual([]);
    expect(v2store.messagesWithBody('Sent by mistake'), 'the deletion replaced the copy').toEqual([]);
    expect(v2.violations).toEqual([]);

    // The v1 device sees the edit as a new copy of the same message, the deletion as unsupported, and nothing of Noa.
    await syncUntil(
      live,
      'the v1 device to hold the edit and the deletion',
      (s) => edited(s) !== undefined && s.messagesWithBody('Sent by mistake').length === 0,
    );
    expect(edited(store)?.id).toBe(edited(v2store)?.id);
    expect(store.messages.get(deleted(v2store)!.id)?.content).toEqual({ type: 'unsupported', waType: 'deleted' });
    expect(hidden(store)).toBeUndefined();
    expect(JSON.stringify(live.envelopes.slice(v1From))).not.toContain(noa.bsuid);
    expect(live.violations).toEqual([]);
  });

  it("11. need-to-know: another team sees a customer only as events.skipped and is refused in words; a supervisor's transfer brings it with its history", async () => {
    // Section "Who receives what": the sandbox's demo has team main ("demo") and team north ("demo-north"), and
    // "demo-lead", a supervisor of both.
    const northStore = new LocalStore();
    const north = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.demoTokens['demo-north']!, device: `north-${uuidv7()}`, protocols: [PROTOCOL_V2] });
    const lead = connectWebSocket({ baseUrl: relay.baseUrl, token: relay.demoTokens['demo-lead']!, device: `lead-${uuidv7()}`, protocols: [PROTOCOL_V2] });
    extraConnections.push(north, lead);
    const northHello = await north.hello();
    expect(northHello.agent).toMatchObject({ id: 'demo-north', role: 'agent', teams: [{ id: 'north' }] });
    expect((await lead.hello()).agent).toMatchObject({ role: 'supervisor' });
    await resync(north, northStore, northHello);
    expect(northStore.conversations.has(conversationOf(DANA.waId))).toBe(false);

    const from = live.frames.length;
    await customerWrites(DANA, 'Is my statement ready?');
    // The main team's device gets the message; the north device gets the same seqs as a skip, never the message.
    const created = await live.waitFor((f) => f.type === 'events' && f.events.some((e) => e.event.kind === 'message.created'), 'the message on main', { from });
    const seq = created.type === 'events' ? created.events.find((e) => e.event.kind === 'message.created')!.seq : 0;
    await north.waitFor((f) => f.type === 'events' && f.events.some((e) => e.seq >= seq), 'the north device to pass that seq');
    expect(north.envelopes.some((e) => e.event.kind === 'events.skipped')).toBe(true);
    expect(JSON.stringify(north.envelopes)).not.toContain('Is my statement ready?');
    expect(north.violations).toEqual([]);
    await commitAndAck(north, northStore);

    const dana = conversationOf(DANA.waId);
    const refused = await north.request('messages.history', { conversationId: dana });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/handled by the Main team/) } });

    // The supervisor moves the conversation to north: the north device is told it exists, and pages its history.
    await lead.call('conversations.transfer', { conversationId: dana, teamId: 'north' });
    await north.waitFor((f) => f.type === 'events' && f.events.some((e) => e.event.kind === 'conversation.upserted'), 'the conversation arriving in north');
    await commitAndAck(north, northStore);
    expect(northStore.arrivals.has(dana)).toBe(true);
    await fetchArrivals(north, northStore);
    expect(northStore.messagesWithBody('Is my statement ready?')).toHaveLength(1);
    expect(northStore.messagesWithBody('Hello, I need my March statement')).toHaveLength(1);
    expect(north.violations).toEqual([]);
    expect(live.violations).toEqual([]);
  });
});

/** The part of the store an event writes to (for checking that applying it again changes nothing). */
function stateTouchedBy(event: RelayEvent): unknown {
  switch (event.kind) {
    case 'message.created':
      return store.messages.get(event.message.id);
    case 'message.status':
      return store.messages.get(event.messageId);
    case 'conversation.upserted':
      return store.conversations.get(event.conversation.id);
    case 'message.updated':
      return store.messages.get(event.message.id);
    case 'conversation.removed':
      return store.conversations.get(event.conversationId) ?? null;
    case 'events.skipped':
      return null; // writes nothing but the cursor
  }
}
