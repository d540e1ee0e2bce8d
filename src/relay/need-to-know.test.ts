// Need-to-know through the real relay: two teams with a number each, an agent each, a supervisor of both and an admin,
// read by the client written from docs/protocol.md over both versions and transports. Who receives which events, who
// may read, reply, take over, transfer and download, and what the audit trail says about it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../shared/domain';
import { uuidv7 } from '../shared/uuidv7';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import type { SqlRelayStore } from './store/sql-relay-store';
import type { Role } from '../shared/domain';
import {
  LocalStore,
  PROTOCOL_V2,
  commitAndAck,
  connectWebSocket,
  fetchArrivals,
  openPollSession,
  resync,
  type Connection,
  type ResFrame,
} from './test-support/docs-client';
import { RecordingProvider, startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';
import { OTHER_IDENTITY, OUR_IDENTITY, messageDelivery, person, text } from './webhook/delivery-kit';

const DANA = { waId: '972541234567', name: 'Dana Levi' };
const SARA = { waId: '972549876543', name: 'Sara South' };
const SOUTH_NUMBER = OTHER_IDENTITY.phoneNumberId;

let t: TestRelay;
let store: SqlRelayStore;
const provider = new RecordingProvider();
const tokens: Record<string, string> = {};
const open: Connection[] = [];
let danaConversation: Conversation;
let saraConversation: Conversation;

async function agent(id: string, name: string, teams: string[], role: Role): Promise<void> {
  tokens[id] = generateAgentToken();
  await store.setAgentToken(id, name, hashAgentToken(tokens[id]), Date.now(), teams, role);
}

function ws(id: string, device: string, options: { since?: number; version?: 1 | 2 } = {}) {
  const connection = connectWebSocket({
    baseUrl: t.relay.url,
    token: tokens[id]!,
    device,
    ...(options.since !== undefined && { since: options.since }),
    protocols: [options.version === 1 ? 'branchline.v1' : PROTOCOL_V2],
  });
  open.push(connection);
  return connection;
}

async function writes(customer: typeof DANA, body: string, identity = OUR_IDENTITY): Promise<void> {
  const res = await t.postWebhook(messageDelivery(person(customer), text(body), { identity }).body);
  expect(res.status).toBe(200);
}

/** Waits until the connection has been sent everything up to the log's head (a skip counts). */
async function caughtUp(connection: Connection): Promise<void> {
  const head = await store.head();
  await waitFor(`a device caught up to ${head}`, () => ((connection.envelopes.at(-1)?.seq ?? connection.helloFrame?.head ?? -1) >= head ? true : undefined));
}

/** The conversation each event is about (null for a skip), to check it against who may see what. */
function conversationOf(event: { kind: string } & Record<string, unknown>): string | null {
  const e = event as { kind: string; message?: { conversationId: string }; conversationId?: string; conversation?: { id: string } };
  return e.message?.conversationId ?? e.conversationId ?? e.conversation?.id ?? null;
}

function refusal(res: ResFrame): string {
  return res.ok ? 'ok' : `${res.error.code}: ${res.error.message}`;
}

async function messageCount(conversationId: string): Promise<number> {
  const page = await store.history(conversationId, undefined, 500);
  return page.ok ? page.value.items.length : -1;
}

beforeAll(async () => {
  t = await startTestRelay({ overrides: { provider }, env: { RELAY_TRUSTED_PROXIES: '127.0.0.1' } });
  store = t.relay.store as SqlRelayStore;
  expect(await store.addTeam('south', 'South branch', Date.now())).toMatchObject({ ok: true });
  expect(await store.addNumber({ phoneNumberId: SOUTH_NUMBER, teamId: 'south', display: null }, Date.now())).toMatchObject({ ok: true });
  tokens['ana'] = t.token; // the harness's agent: team main, role agent
  await agent('dan', 'Dan Main', ['main'], 'agent');
  await agent('sam', 'Sam South', ['south'], 'agent');
  await agent('sue', 'Sue Visor', ['main', 'south'], 'supervisor');
  await agent('root', 'Root Admin', ['main'], 'admin');
  await writes(DANA, 'Hello, main branch');
  await writes(SARA, 'Hello, south branch', OTHER_IDENTITY);
  const listed = await store.listConversations(undefined, 10);
  if (!listed.ok) throw new Error('no list');
  danaConversation = listed.value.items.find((c) => c.customer.waId === DANA.waId)!;
  saraConversation = listed.value.items.find((c) => c.customer.waId === SARA.waId)!;
}, 30_000);

afterAll(async () => {
  for (const c of open) c.dispose();
  await t?.stop();
});

describe('what each device receives', () => {
  it('a customer writing to a team’s number reaches only that team’s devices, on both versions and transports, the rest skipped without a gap', async () => {
    const devices = {
      ana: ws('ana', 'ana-1'),
      sam: ws('sam', 'sam-1'),
      sue: ws('sue', 'sue-1'),
      root: ws('root', 'root-1'),
      samV1: await openPollSession({ baseUrl: t.relay.url, token: tokens['sam']!, device: 'sam-v1', version: 1 }),
      anaV1: ws('ana', 'ana-v1', { version: 1 }),
    };
    open.push(devices.samV1);
    for (const d of Object.values(devices)) await d.hello();
    for (let i = 0; i < 3; i++) {
      await writes(DANA, `Dana ${i}`);
      await writes(SARA, `Sara ${i}`, OTHER_IDENTITY);
    }
    for (const d of Object.values(devices)) await caughtUp(d);

    const teamOf = new Map([
      [danaConversation.id, 'main'],
      [saraConversation.id, 'south'],
    ]);
    const mayReceive: Record<keyof typeof devices, string[]> = {
      ana: ['main'],
      sam: ['south'],
      sue: ['main', 'south'],
      root: [],
      samV1: ['south'],
      anaV1: ['main'],
    };
    for (const [name, device] of Object.entries(devices) as [keyof typeof devices, Connection][]) {
      expect(device.violations, name).toEqual([]);
      for (const { seq, event } of device.envelopes) {
        const conversationId = conversationOf(event);
        // v1 placeholders name no real conversation: they stand for seqs this device may not see.
        if (conversationId === null || conversationId.startsWith('v1-skipped:')) continue;
        expect(mayReceive[name], `${name} received seq ${seq} about a ${teamOf.get(conversationId)} conversation`).toContain(teamOf.get(conversationId));
      }
    }
    const bodies = (d: Connection) => d.envelopes.flatMap((e) => (e.event.kind === 'message.created' ? [e.event.message.content.body] : []));
    expect(bodies(devices.ana)).toEqual(['Dana 0', 'Dana 1', 'Dana 2']);
    expect(bodies(devices.sam)).toEqual(['Sara 0', 'Sara 1', 'Sara 2']);
    expect(bodies(devices.samV1)).toEqual(['Sara 0', 'Sara 1', 'Sara 2']);
    expect(bodies(devices.sue)).toEqual(['Dana 0', 'Sara 0', 'Dana 1', 'Sara 1', 'Dana 2', 'Sara 2']);
    expect(devices.root.envelopes.length).toBeGreaterThan(0);
    expect(devices.root.envelopes.every((e) => e.event.kind === 'events.skipped')).toBe(true);
    expect(devices.ana.envelopes.some((e) => e.event.kind === 'events.skipped')).toBe(true);

    expect(devices.sue.helloFrame?.agent).toEqual({
      id: 'sue',
      name: 'Sue Visor',
      role: 'supervisor',
      teams: expect.arrayContaining([
        { id: 'main', name: 'Main' },
        { id: 'south', name: 'South branch' },
      ]),
    });
    expect(devices.samV1.helloFrame?.agent).toEqual({ id: 'sam', name: 'Sam South' });
    for (const d of Object.values(devices)) d.dispose();
  });

  it('lists only the agent’s teams’ conversations, counted as such; an admin’s list is empty', async () => {
    const sam = ws('sam', 'sam-list');
    await sam.hello();
    const page = await sam.call<{ conversations: Conversation[]; total: number }>('conversations.list', {});
    expect(page.conversations.map((c) => c.id)).toEqual([saraConversation.id]);
    expect(page.total).toBe(1);
    expect(page.conversations[0]!.team).toEqual({ id: 'south', name: 'South branch' });
    const root = ws('root', 'root-list');
    await root.hello();
    expect(await root.call('conversations.list', {})).toMatchObject({ conversations: [], total: 0 });
  });
});

describe('what each agent may do', () => {
  it('another team gets forbidden, in words, for history, reply, read mark, case link, assignment and files, and nothing is stored', async () => {
    await t.postWebhook(messageDelivery(person(DANA), { type: 'image', image: { id: '880001', mime_type: 'image/jpeg' } }).body);
    const sam = ws('sam', 'sam-refused');
    await sam.hello();
    const conversationId = danaConversation.id;
    const before = await messageCount(conversationId);
    const sends = provider.sends.length;
    const words = 'forbidden: This conversation is now handled by the Main team';
    expect(refusal(await sam.request('messages.history', { conversationId }))).toBe(words);
    const content = { type: 'text', body: 'Not my customer' };
    expect(refusal(await sam.request('messages.send', { clientMessageId: uuidv7(), conversationId, content }))).toBe(words);
    const history = await store.history(conversationId, undefined, 10);
    const inbound = history.ok ? history.value.items.find((m) => m.direction === 'in')! : null;
    expect(refusal(await sam.request('messages.markRead', { conversationId, upToMessageId: inbound!.id }))).toBe(words);
    expect(refusal(await sam.request('conversations.linkCase', { conversationId, caseId: 'CASE-1' }))).toBe(words);
    expect(refusal(await sam.request('conversations.assign', { conversationId, agentId: 'sam' }))).toBe(words);
    expect(await messageCount(conversationId)).toBe(before);
    expect(provider.sends.length).toBe(sends);
    const after = await store.conversationsById([conversationId]);
    expect(after[0]).toMatchObject({ caseId: null, assignedAgentId: null, readUpTo: null });

    const image = history.ok ? history.value.items.find((m) => m.content.type === 'image') : undefined;
    const mediaId = image?.content.type === 'image' ? image.content.mediaId : '';
    const download = (id: string) => fetch(`${t.relay.url}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${tokens[id]}` } });
    const refused = await download('sam');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden', message: 'This file is in a conversation another team handles' } });
    expect((await download('root')).status).toBe(403);
    await waitFor('the file fetched from WhatsApp', async () => ((await download('ana')).status === 200 ? true : undefined));

    const root = ws('root', 'root-refused');
    await root.hello();
    expect(refusal(await root.request('messages.history', { conversationId }))).toBe(
      'forbidden: Admins manage teams, numbers and agents; customer conversations are not shown to admins',
    );
  });

  it('the first to reply owns the conversation; a teammate takes it over only when confirmed, and the owner sees who did', async () => {
    const conversationId = danaConversation.id;
    const anaStore = new LocalStore();
    const ana = ws('ana', 'ana-owner');
    const dan = ws('dan', 'dan-owner');
    await Promise.all([ana.hello(), dan.hello()]);
    const sent = await ana.call<{ message: { sender?: { id: string; name: string } } }>('messages.send', {
      clientMessageId: uuidv7(),
      conversationId,
      content: { type: 'text', body: 'Ana here, how can I help?' },
    });
    expect(sent.message.sender).toEqual({ id: 'ana', name: 'Ana Cohen' });
    expect((await store.conversationsById([conversationId]))[0]).toMatchObject({ assignedAgentId: 'ana', assignedAgent: { id: 'ana', name: 'Ana Cohen' } });

    const reply = { clientMessageId: uuidv7(), conversationId, content: { type: 'text', body: 'Dan here' } };
    expect(refusal(await dan.request('messages.send', reply))).toBe('forbidden: Assigned to Ana Cohen: take it over to reply');
    expect(refusal(await dan.request('conversations.linkCase', { conversationId, caseId: 'CASE-9' }))).toBe(
      'forbidden: Assigned to Ana Cohen: take it over to link a case',
    );
    expect(refusal(await dan.request('conversations.assign', { conversationId, agentId: null }))).toBe(
      'forbidden: Assigned to Ana Cohen: only they or a supervisor can release it',
    );
    expect(refusal(await dan.request('conversations.assign', { conversationId, agentId: 'dan' }))).toBe(
      'conflict: Assigned to Ana Cohen: confirm to take it over',
    );
    expect(refusal(await dan.request('conversations.assign', { conversationId, agentId: 'dan', takeOver: true }))).toBe('ok');
    await waitFor('ana told who took it', () => {
      anaStore.commit(ana.envelopes);
      return anaStore.conversations.get(conversationId)?.assignedAgent?.id === 'dan' ? true : undefined;
    });
    expect(anaStore.conversations.get(conversationId)?.assignedAgent).toEqual({ id: 'dan', name: 'Dan Main' });
    expect(refusal(await ana.request('messages.send', { ...reply, clientMessageId: uuidv7() }))).toBe('forbidden: Assigned to Dan Main: take it over to reply');
    expect(refusal(await dan.request('messages.send', reply))).toBe('ok');

    const sue = ws('sue', 'sue-owner');
    await sue.hello();
    expect(refusal(await sue.request('messages.send', { clientMessageId: uuidv7(), conversationId, content: { type: 'text', body: 'Supervisor' } }))).toBe(
      'ok',
    );
    expect(refusal(await dan.request('conversations.assign', { conversationId, agentId: null }))).toBe('ok');
    const takeOvers = await store.readAudit({ conversationId, limit: 100 });
    expect(takeOvers.filter((e) => e.action === 'conversation.take_over')).toMatchObject([{ actorId: 'dan', detail: { from: 'ana', to: 'dan' } }]);
  });

  it('a supervisor transfers a conversation: the old team drops it, the new team gets it and its history, both resume without a gap', async () => {
    const conversationId = danaConversation.id;
    const anaStore = new LocalStore();
    const samStore = new LocalStore();
    let ana = ws('ana', 'ana-transfer');
    let sam = ws('sam', 'sam-transfer');
    await resync(ana, anaStore, await ana.hello());
    await resync(sam, samStore, await sam.hello());
    expect(anaStore.conversations.has(conversationId)).toBe(true);
    expect(samStore.conversations.has(conversationId)).toBe(false);
    expect(refusal(await sam.request('conversations.transfer', { conversationId, teamId: 'south' }))).toBe(
      'forbidden: This conversation is now handled by the Main team',
    );
    expect(refusal(await ana.request('conversations.transfer', { conversationId, teamId: 'south' }))).toBe(
      'forbidden: Only a supervisor can transfer a conversation to another team',
    );

    const sue = ws('sue', 'sue-transfer');
    await sue.hello();
    const transferred = await sue.call<{ conversation: Conversation }>('conversations.transfer', { conversationId, teamId: 'south' });
    expect(transferred.conversation).toMatchObject({ team: { id: 'south', name: 'South branch' }, assignedAgentId: null });
    await caughtUp(ana);
    await caughtUp(sam);
    await caughtUp(sue);
    await commitAndAck(ana, anaStore);
    await commitAndAck(sam, samStore);
    expect(anaStore.conversations.has(conversationId)).toBe(false);
    expect([...anaStore.messages.values()].some((m) => m.conversationId === conversationId)).toBe(false);
    expect(ana.envelopes.some((e) => e.event.kind === 'conversation.removed' && e.event.conversationId === conversationId)).toBe(true);
    expect(samStore.arrivals.has(conversationId)).toBe(true);
    await fetchArrivals(sam, samStore);
    expect(samStore.messagesWithBody('Dana 2')).toHaveLength(1);
    // The supervisor is in both teams: the conversation never left her screen.
    expect(sue.envelopes.some((e) => e.event.kind === 'conversation.removed')).toBe(false);
    expect(refusal(await ana.request('messages.history', { conversationId }))).toBe('forbidden: This conversation is now handled by the South branch team');

    // Both reconnect from their committed cursors: resumed, gap-free, and the next message follows the conversation.
    ana.dispose();
    sam.dispose();
    ana = ws('ana', 'ana-transfer', { since: anaStore.committedSeq! });
    sam = ws('sam', 'sam-transfer', { since: samStore.committedSeq! });
    expect((await ana.hello()).mode).toBe('resume');
    expect((await sam.hello()).mode).toBe('resume');
    await writes(DANA, 'After the transfer');
    await caughtUp(ana);
    await caughtUp(sam);
    anaStore.commit(ana.envelopes);
    samStore.commit(sam.envelopes);
    expect(ana.violations).toEqual([]);
    expect(sam.violations).toEqual([]);
    expect(samStore.messagesWithBody('After the transfer')).toHaveLength(1);
    expect(anaStore.messagesWithBody('After the transfer')).toHaveLength(0);
    danaConversation = transferred.conversation;
  });

  it('directory.get names me, my colleagues and every team', async () => {
    const sam = ws('sam', 'sam-directory');
    await sam.hello();
    const directory = await sam.call<{ me: unknown; agents: { id: string }[]; teams: { id: string }[] }>('directory.get', {});
    expect(directory.me).toEqual({ id: 'sam', name: 'Sam South', role: 'agent', teams: [{ id: 'south', name: 'South branch' }] });
    expect(directory.agents.map((a) => a.id).sort()).toEqual(['sam', 'sue']);
    expect(directory.teams.map((a) => a.id).sort()).toEqual(['main', 'south']);
  });
});

describe('changes of access while connected', () => {
  it('moving an agent to another team ends their connections with 4011; the next hello resyncs to what they may see now', async () => {
    const danStore = new LocalStore();
    const dan = ws('dan', 'dan-moved');
    await resync(dan, danStore, await dan.hello());
    await dan.ack(danStore.committedSeq!);
    const poll = await openPollSession({ baseUrl: t.relay.url, token: tokens['dan']!, device: 'dan-moved-poll', version: 2 });
    open.push(poll);
    await poll.hello();
    expect([...danStore.conversations.keys()]).toEqual([]);
    expect(await store.setAgentAccess('dan', { teams: ['south'] }, Date.now())).toMatchObject({ ok: true });
    expect((await dan.closed).code).toBe(4011);
    expect((await poll.closed).code).toBe(4011);
    const again = ws('dan', 'dan-moved', { since: danStore.committedSeq! });
    const hello = await again.hello();
    expect(hello).toMatchObject({ mode: 'resync', agent: { teams: [{ id: 'south', name: 'South branch' }] } });
    await resync(again, danStore, hello);
    expect([...danStore.conversations.keys()].sort()).toEqual([danaConversation.id, saraConversation.id].sort());
  });

  it('revoking an agent ends an open socket that only answers pings, and an open poll, with 4001', async () => {
    const sam = ws('sam', 'sam-revoked');
    await sam.hello();
    const poll = await openPollSession({ baseUrl: t.relay.url, token: tokens['sam']!, device: 'sam-revoked-poll', version: 2 });
    open.push(poll);
    await poll.hello();
    expect(await store.revokeAgent('sam', Date.now())).toMatchObject({ ok: true });
    expect((await sam.closed).code).toBe(4001);
    expect((await poll.closed).code).toBe(4001);
  });
});

describe('the audit trail', () => {
  it('records sign-ins and refused tokens with their address (X-Forwarded-For only from a trusted proxy), reads and downloads, never a body or a number', async () => {
    const forwarded = { 'x-forwarded-for': '198.51.100.23' };
    const opened = await fetch(`${t.relay.url}/v1/poll?v=2&device=ana-proxy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['ana']}`, ...forwarded },
    });
    expect(opened.status).toBe(200);
    const refusedRes = await fetch(`${t.relay.url}/v1/poll?v=2&device=x`, {
      method: 'POST',
      headers: { authorization: 'Bearer blt_forged-token-value', ...forwarded },
    });
    expect(refusedRes.status).toBe(401);

    const ana = await store.readAudit({ agentId: 'ana', limit: 1_000 });
    const signIns = ana.filter((e) => e.action === 'session.sign_in');
    expect(signIns.map((e) => e.source)).toContain('127.0.0.1');
    expect(signIns.map((e) => e.source)).toContain('198.51.100.23');
    expect(signIns[0]!.detail).toMatchObject({ transport: 'ws', protocol: 2 });
    const actions = new Set(ana.map((e) => e.action));
    for (const action of ['conversations.list', 'messages.history', 'media.download', 'message.send']) expect(actions, action).toContain(action);
    const all = await store.readAudit({ limit: 10_000 });
    expect(all.filter((e) => e.action === 'session.token_refused').map((e) => e.source)).toContain('198.51.100.23');
    const text = JSON.stringify(all);
    for (const secret of [DANA.waId, SARA.waId, 'Hello, main branch', 'Dana 0', 'Ana here', tokens['ana']!, 'blt_forged']) expect(text).not.toContain(secret);
  });
});

describe('our numbers', () => {
  it('a reply and a read mark leave from the number the customer wrote to, never the relay’s default', async () => {
    const rami = { waId: '972545550123', name: 'Rami South' };
    await writes(rami, 'Is the south branch open on Friday?', OTHER_IDENTITY);
    const listed = await store.listConversations(undefined, 50, ['south']);
    const conversation = listed.ok ? listed.value.items.find((c) => c.customer.waId === rami.waId) : undefined;
    expect(conversation).toBeDefined();
    const history = await store.history(conversation!.id, undefined, 10);
    const inbound = history.ok ? history.value.items.find((m) => m.direction === 'in') : undefined;
    const reads = provider.reads.length;
    const sue = ws('sue', 'sue-numbers');
    await sue.hello();
    const content = { type: 'text', body: 'Yes, until noon.' };
    await sue.call('messages.send', { clientMessageId: uuidv7(), conversationId: conversation!.id, content });
    await sue.call('messages.markRead', { conversationId: conversation!.id, upToMessageId: inbound!.id });
    const sent = await waitFor('the reply handed to WhatsApp', () => provider.sends.find((s) => s.content.type === 'text' && s.content.body === content.body));
    expect(sent.from).toBe(SOUTH_NUMBER);
    const read = await waitFor('the read mark handed to WhatsApp', () => provider.reads[reads]);
    expect(read.from).toBe(SOUTH_NUMBER);
    // Main's conversations still leave from main's number.
    expect(provider.sends.filter((s) => s.from !== SOUTH_NUMBER).every((s) => s.from === OUR_IDENTITY.phoneNumberId)).toBe(true);
  });
});
