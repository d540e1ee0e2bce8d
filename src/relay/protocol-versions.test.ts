// Two console generations on one relay: a v1 client (socket and long poll) receives only what v1 can parse, gap-free
// and resumable, while a v2 client receives the full 2026 shapes. The relay holds a BSUID-only customer, a group, a
// contact card, an order, a Flow answer, a system notice, an edit, a deletion and a merge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerFrame } from '../shared/protocol';
import type { RelayEvent } from '../shared/protocol-events';
import { METHODS } from '../shared/protocol-methods';
import { METHOD_RESULTS_V1, ServerFrameV1 } from '../shared/protocol-v1';
import { PROTOCOL, PROTOCOL_V2, LocalStore, connectWebSocket, openPollSession, type Connection, type Message } from './test-support/docs-client';
import { startMemoryRelay, type MemoryRelay } from './test-support/memory-relay';
import { CONVERSATIONS, EVENTS, HELD_CONVERSATIONS, HELD_MESSAGES, IDS, MESSAGES } from './test-support/v2-fixtures';

let relay: MemoryRelay;
const open: Connection[] = [];
const relays: MemoryRelay[] = [];

/** A relay holding the fixtures' log and state. */
async function relayWithLog(): Promise<MemoryRelay> {
  const r = await startMemoryRelay();
  relays.push(r);
  r.hold(HELD_CONVERSATIONS, HELD_MESSAGES);
  r.append(EVENTS);
  return r;
}

beforeAll(async () => {
  relay = await relayWithLog();
});

afterAll(async () => {
  for (const c of open) c.dispose();
  for (const r of relays) await r.close();
});

async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function track<C extends Connection>(c: C): C {
  open.push(c);
  return c;
}

/** Frames a v1 console (protocol-v1.ts) would refuse, with why. */
function unreadableByV1(c: Connection): string[] {
  return c.frames.flatMap((frame, i) => {
    const parsed = ServerFrameV1.safeParse(frame);
    return parsed.success ? [] : [`frame ${i} (${frame.type}): ${parsed.error.issues[0]?.message ?? ''}`];
  });
}

const seqs = (c: Connection) => c.envelopes.map((e) => e.seq);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** What a v1 console ends up holding after the whole log, for both transports. */
function expectV1View(c: Connection): void {
  expect(c.violations).toEqual([]);
  expect(unreadableByV1(c)).toEqual([]);
  expect(seqs(c)).toEqual(upTo(EVENTS.length));
  const deletion = c.envelopes.find(
    (e) => e.event.kind === 'message.created' && e.event.message.content.type === 'unsupported' && e.event.message.id === MESSAGES.mistaken.id,
  );
  expect(deletion).toBeDefined();
  expect(JSON.stringify(deletion?.event), 'the deletion does not carry the deleted text').not.toContain('4580');

  const store = new LocalStore();
  store.commit(c.envelopes);
  // The merged conversation stays: v1 cannot remove it (until its next resync).
  expect(new Set(store.conversations.keys())).toEqual(new Set([IDS.dana, IDS.merged, IDS.both]));
  const content = (m: { id: string }) => store.messages.get(m.id)?.content;
  expect(content(MESSAGES.danaText)).toEqual(MESSAGES.danaText.content);
  expect(content(MESSAGES.contactCard)).toEqual({ type: 'unsupported', waType: 'contacts' });
  expect(content(MESSAGES.order)).toEqual({ type: 'unsupported', waType: 'order' });
  expect(content(MESSAGES.flowReply)).toEqual({ type: 'unsupported', waType: 'interactive_reply' });
  expect(content(MESSAGES.chatOpened)).toEqual({ type: 'unsupported', waType: 'system' });
  expect(content(MESSAGES.original), 'the edit replaced the text').toEqual({ type: 'text', body: 'My account is 12-345-679' });
  expect(content(MESSAGES.mistaken)).toEqual({ type: 'unsupported', waType: 'deleted' });
  expect(content(MESSAGES.bothText)).toEqual(MESSAGES.bothText.content);
  for (const hidden of [MESSAGES.bsuidText, MESSAGES.bsuidReply, MESSAGES.groupText]) expect(store.messages.has(hidden.id)).toBe(false);
  expect(store.messages.size, 'placeholders add nothing').toBe(8);
}

describe('a branchline.v1 console on a v2 relay', () => {
  it('over the WebSocket: parses every frame, gap-free, and sees v1 customers with their content as v1 can show it', async () => {
    const c = track(connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: 'desk-v1', since: 0 }));
    expect(await c.hello()).toMatchObject({ protocol: 1, mode: 'resume' });
    await waitUntil('the whole log', () => c.envelopes.length >= EVENTS.length);
    expectV1View(c);

    // Methods answer in v1's shapes; conversations v1 cannot express are left out or not found.
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page = METHOD_RESULTS_V1['conversations.list'].parse(await c.call('conversations.list', { limit: 2, ...(cursor !== null && { cursor }) }));
      expect(page.total, 'an upper bound: every conversation the relay holds').toBe(HELD_CONVERSATIONS.length);
      listed.push(...page.conversations.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(listed).toEqual([IDS.dana, IDS.both]);
    const history = METHOD_RESULTS_V1['messages.history'].parse(await c.call('messages.history', { conversationId: IDS.dana }));
    expect(history.messages.find((m) => m.id === MESSAGES.contactCard.id)?.content).toEqual({ type: 'unsupported', waType: 'contacts' });
    for (const [method, params] of [
      ['messages.history', { conversationId: IDS.bsuidOnly }],
      ['conversations.assign', { conversationId: IDS.group, agentId: 'ana' }],
    ] as const) {
      const res = await c.request(method, params);
      expect(res.ok === false && res.error.code, method).toBe('not_found');
    }
    expect(unreadableByV1(c)).toEqual([]);
  });

  it('over the WebSocket: resumes from its committed seq with the same events, and live events stay gap-free', async () => {
    const relay = await relayWithLog();
    const first = track(connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: 'desk-resume', since: 0 }));
    await first.hello();
    await waitUntil('the whole log', () => first.envelopes.length >= EVENTS.length);
    const before = first.envelopes;
    first.dispose();

    const committed = 6;
    const again = track(connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: 'desk-resume', since: committed }));
    expect((await again.hello()).mode).toBe('resume');
    await waitUntil('the replay', () => again.envelopes.length >= EVENTS.length - committed);
    expect(again.envelopes, 'a replay sends the very same events, placeholders included').toEqual(before.slice(committed));

    const live: RelayEvent[] = [
      { kind: 'message.created', message: { ...MESSAGES.bsuidText, id: '019ae000-0000-7000-8000-0000000000f1' } },
      { kind: 'message.updated', message: { ...MESSAGES.edited, content: { type: 'text', body: 'My account is 12-345-680' } } },
    ];
    relay.append(live);
    await waitUntil('the live events', () => again.envelopes.length >= EVENTS.length - committed + live.length);
    expect(seqs(again)).toEqual(upTo(EVENTS.length + live.length).slice(committed));
    expect(again.envelopes.at(-2)?.event.kind, 'the BSUID-only message is a placeholder').toBe('message.status');
    expect(again.envelopes.at(-1)?.event).toMatchObject({ kind: 'message.created', message: { id: MESSAGES.original.id } });
    expect(again.violations).toEqual([]);
    expect(unreadableByV1(again)).toEqual([]);
  });

  it('over long polling: parses every frame, gap-free, and resumes', async () => {
    const poll = track(await openPollSession({ baseUrl: relay.baseUrl, token: relay.token, device: 'laptop-v1', since: 0 }));
    expect(await poll.hello()).toMatchObject({ protocol: 1 });
    await waitUntil('the whole log', () => poll.envelopes.length >= EVENTS.length);
    expectV1View(poll);
    const log = poll.envelopes;
    poll.stop();

    const resumed = track(await openPollSession({ baseUrl: relay.baseUrl, token: relay.token, device: 'laptop-v1', since: 10 }));
    expect((await resumed.hello()).mode).toBe('resume');
    await waitUntil('the replay', () => resumed.envelopes.length >= EVENTS.length - 10);
    expect(resumed.envelopes.slice(0, EVENTS.length - 10)).toEqual(log.slice(10));
    expect(resumed.violations).toEqual([]);
    expect(unreadableByV1(resumed)).toEqual([]);
    resumed.stop();
  });

  it('over long polling without a version parameter (as a v1 console may open it): speaks v1', async () => {
    const headers = { Authorization: `Bearer ${relay.token}` };
    const opened = await fetch(`${relay.baseUrl}/v1/poll?device=no-v`, { method: 'POST', headers });
    expect(opened.status).toBe(200);
    const { sessionId } = (await opened.json()) as { sessionId: string };
    const received = (await (await fetch(`${relay.baseUrl}/v1/poll/${sessionId}`, { headers })).json()) as { frames: unknown[] };
    expect(received.frames[0]).toMatchObject({ type: 'hello', protocol: 1 });
  });
});

describe('a branchline.v2 console', () => {
  /** What the log holds, applied as the document says: edits replace, removals drop. */
  function expectV2View(c: Connection): void {
    expect(c.violations).toEqual([]);
    expect(c.frames.filter((f) => !ServerFrame.safeParse(f).success)).toEqual([]);
    expect(c.envelopes.slice(0, EVENTS.length).map((e) => e.event)).toEqual(EVENTS);
    const store = new LocalStore();
    store.commit(c.envelopes.slice(0, EVENTS.length));
    expect(new Set(store.conversations.keys())).toEqual(new Set([IDS.dana, IDS.bsuidOnly, IDS.group, IDS.both]));
    expect(store.conversations.get(IDS.bsuidOnly)?.customer).toEqual(CONVERSATIONS.bsuidOnly.customer);
    expect(store.conversations.get(IDS.group)?.group).toEqual(CONVERSATIONS.group.group);
    const message = (m: { id: string }): Message | undefined => store.messages.get(m.id);
    expect(message(MESSAGES.original)).toMatchObject({ content: MESSAGES.edited.content, edited: MESSAGES.edited.edited });
    expect(message(MESSAGES.mistaken)?.content).toEqual({ type: 'deleted' });
    expect(message(MESSAGES.contactCard)?.content).toEqual(MESSAGES.contactCard.content);
    expect(message(MESSAGES.groupText)?.author).toEqual(MESSAGES.groupText.author);
    expect(message(MESSAGES.bsuidReply)?.status, 'its status applied').toBe('read');
  }

  it('is chosen over v1 when a client offers both, and receives the full shapes', async () => {
    const c = track(connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: 'desk-v2', since: 0, protocols: [PROTOCOL, PROTOCOL_V2] }));
    expect(await c.hello()).toMatchObject({ protocol: 2 });
    expect((c as unknown as { socket: { protocol: string } }).socket.protocol).toBe('branchline.v2');
    await waitUntil('the whole log', () => c.envelopes.length >= EVENTS.length);
    expectV2View(c);
    const page = METHODS['conversations.list'].result.parse(await c.call('conversations.list', {}));
    expect(page.conversations).toEqual(HELD_CONVERSATIONS);
  });

  it('receives the same over long polling with v=2', async () => {
    const poll = track(await openPollSession({ baseUrl: relay.baseUrl, token: relay.token, device: 'laptop-v2', since: 0, version: 2 }));
    expect(await poll.hello()).toMatchObject({ protocol: 2 });
    await waitUntil('the whole log', () => poll.envelopes.length >= EVENTS.length);
    expectV2View(poll);
    poll.stop();
  });
});

describe('versions the relay does not serve', () => {
  it('are refused with 4002 on the socket and 400 unsupported_version on long polling', async () => {
    const c = track(connectWebSocket({ baseUrl: relay.baseUrl, token: relay.token, device: 'desk-v3', protocols: ['branchline.v3'] }));
    const closed = await c.closed;
    expect(closed.code).toBe(4002);
    expect(closed.reason).toContain('branchline.v2 and branchline.v1');
    const res = await fetch(`${relay.baseUrl}/v1/poll?v=3&device=laptop-v3`, { method: 'POST', headers: { Authorization: `Bearer ${relay.token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_version' } });
  });
});
