// Need-to-know through the whole console core (scripted relay link, real cache files): skipped events move only the
// cursor, a resync replaces the cache, a conversation transferred in brings its history, who is signed in comes with
// role and teams, a colleague taking over is told, the directory is kept for offline use, and the relay's refusals
// reach the agent in its words.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/contract';
import type { Conversation, Message } from '../../shared/domain';
import type { Console } from './create-console';
import { mediaDirOf } from './local-db';
import { ANA, NOW, scriptedConsole } from './test-support/scripted-relay';
import { customerConversation, inboundText } from './test-support/messages';

const consoles: Console[] = [];
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
});
const setup = () => scriptedConsole((c) => consoles.push(c));

const conversation = (id: string, extra: Partial<Conversation> = {}): Conversation =>
  customerConversation(id, NOW, { customer: { waId: '972541234567', name: `Customer ${id}` }, team: { id: 'main', name: 'Main branch' }, ...extra });
const inbound = (id: string, conversationId: string, body: string, at = NOW - 60_000): Message => inboundText(id, conversationId, body, at);
const count = (c: Console, sql: string, ...params: unknown[]) => (c.store.db.prepare(sql).get(...params) as { n: number }).n;

describe('events.skipped', () => {
  it('moves the cursor past what this agent may not see, and changes nothing else', async () => {
    const { core, relay, of, flush, signIn } = setup();
    await signIn('blt_token_ana_0001');
    await relay.deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1') },
      { kind: 'message.created', message: inbound('m1', 'c1', 'hi') },
    ]);
    flush();
    const before = { conversations: of('conversations.changed').length, messages: of('messages.changed').length };
    const last = await relay.skip(40);
    flush();
    expect(core.store.cursor()).toBe(last);
    expect(count(core, 'SELECT count(*) AS n FROM conversations')).toBe(1);
    expect({ conversations: of('conversations.changed').length, messages: of('messages.changed').length }).toEqual(before);
  });
});

describe('a resync replaces the cache', () => {
  it('drops what the relay no longer lists, with its messages, draft and cached file, and tells the UI', async () => {
    const { core, relay, of, flush, signIn, value } = setup();
    await signIn('blt_token_ana_0001');
    await relay.deliver([
      { kind: 'conversation.upserted', conversation: conversation('kept') },
      { kind: 'conversation.upserted', conversation: conversation('gone', { customer: { waId: '972500000009', name: 'Moved Away' } }) },
      { kind: 'message.created', message: inbound('m-kept', 'kept', 'still here') },
      { kind: 'message.created', message: inbound('m-gone', 'gone', 'secret balance 1234') },
      {
        kind: 'message.created',
        message: {
          ...inbound('m-file', 'gone', ''),
          content: { type: 'document', mediaId: 'media-gone', mimeType: 'application/pdf', fileName: 'statement.pdf' },
        },
      },
    ]);
    core.store.media.put('media-gone', { mimeType: 'application/pdf', fileName: 'statement.pdf', bytes: Buffer.from('%PDF statement') }, NOW);
    await value('drafts.save', { conversationId: 'gone', text: 'Dear Mr Away' });
    const started = await value<{ conversationId: string }>('conversations.startWith', { waId: '972500000077' });
    expect(readdirSync(mediaDirOf(path.dirname(core.store.db.name)))).toHaveLength(1);

    relay.answers['conversations.list'] = () => ({ ok: true, value: { conversations: [conversation('kept')], nextCursor: null, total: 1, head: 0 } });
    relay.answers['messages.history'] = () => ({ ok: true, value: { messages: [inbound('m-kept', 'kept', 'still here')], nextCursor: null } });
    await relay.resync();
    flush();

    expect(of('conversations.removed').flatMap((e) => e.items)).toEqual([{ conversationId: 'gone', mergedInto: null }]);
    expect(await core.service.call('conversations.get', { conversationId: 'gone' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(count(core, 'SELECT count(*) AS n FROM messages WHERE conversation_id = ?', 'gone')).toBe(0);
    expect(count(core, 'SELECT count(*) AS n FROM drafts WHERE conversation_id = ?', 'gone')).toBe(0);
    expect((await value<{ hits: unknown[] }>('conversations.search', { query: 'balance', limit: 10 })).hits).toEqual([]);
    expect(core.store.media.get('media-gone')).toBeNull();
    expect(readdirSync(mediaDirOf(path.dirname(core.store.db.name)))).toEqual([]);
    // What the relay still lists stays, and a conversation started here that the relay has not named yet too.
    expect(await value('conversations.get', { conversationId: 'kept' })).toMatchObject({ preview: 'still here' });
    expect(await core.service.call('conversations.get', { conversationId: started.conversationId })).toMatchObject({ ok: true });
  });
});

describe('a conversation new here', () => {
  it('transferred in without its history: the console pages it from the relay', async () => {
    const { core, relay, signIn, value } = setup();
    await signIn('blt_token_ana_0001');
    relay.answers['messages.history'] = () => ({
      ok: true,
      value: {
        messages: [inbound('h1', 'moved', 'my card was blocked', NOW - 7_200_000), inbound('h2', 'moved', 'hello?', NOW - 3_000_000)],
        nextCursor: null,
      },
    });
    await relay.deliver([{ kind: 'conversation.upserted', conversation: conversation('moved', { createdAt: NOW - 86_400_000 }) }]);
    await expectSoon(() => core.store.message('h2') !== null);
    expect(relay.sent('messages.history')).toEqual([{ conversationId: 'moved', limit: 50 }]);
    expect((await value<{ messages: Message[] }>('messages.page', { conversationId: 'moved', limit: 10 })).messages.map((m) => m.id)).toEqual(['h2', 'h1']);
  });

  it('started by the customer, with its first message in the stream: nothing to page', async () => {
    const { relay, signIn } = setup();
    await signIn('blt_token_ana_0001');
    await relay.deliver([
      { kind: 'message.created', message: inbound('first', 'fresh', 'hello bank', NOW - 1_000) },
      { kind: 'conversation.upserted', conversation: conversation('fresh', { createdAt: NOW - 999 }) },
    ]);
    expect(relay.sent('messages.history')).toEqual([]);
  });
});

describe('who is signed in', () => {
  it('comes with role and teams from the hello, and the UI hears when they change', async () => {
    const { relay, signIn, value, of } = setup();
    expect(await signIn('blt_token_ana_0001')).toMatchObject({ agent: ANA });
    relay.set({ agent: { ...ANA, role: 'supervisor', teams: [...ANA.teams, { id: 'north', name: 'North branch' }] } });
    expect(await value('session.get', {})).toMatchObject({ agent: { id: 'ana', role: 'supervisor', teams: [{ id: 'main' }, { id: 'north' }] } });
    expect(of('session.changed').at(-1)).toMatchObject({ agent: { role: 'supervisor' } });
  });
});

describe('taken over by a colleague', () => {
  it('tells this agent who took their conversation, by name; not when they took one themselves', async () => {
    const { relay, signIn, of, flush } = setup();
    await signIn('blt_token_ana_0001');
    await relay.deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1', { assignedAgentId: 'ana', assignedAgent: { id: 'ana', name: 'Ana Cohen' } }) },
    ]);
    await relay.deliver([
      { kind: 'conversation.upserted', conversation: conversation('c2', { assignedAgentId: 'dana', assignedAgent: { id: 'dana', name: 'Dana Levi' } }) },
    ]);
    flush();
    await relay.deliver([
      {
        kind: 'conversation.upserted',
        conversation: conversation('c1', { assignedAgentId: 'yossi', assignedAgent: { id: 'yossi', name: 'Yossi Cohen' }, updatedAt: NOW }),
      },
      {
        kind: 'conversation.upserted',
        conversation: conversation('c2', { assignedAgentId: 'ana', assignedAgent: { id: 'ana', name: 'Ana Cohen' }, updatedAt: NOW }),
      },
    ]);
    flush();
    expect(of('conversations.takenOver')).toEqual([{ items: [{ conversationId: 'c1', by: { id: 'yossi', name: 'Yossi Cohen' } }] }]);
    // The list shows the new assignee by name.
    expect(
      of('conversations.changed')
        .at(-1)
        ?.items.find((s) => s.conversation.id === 'c1')?.conversation.assignedAgent,
    ).toEqual({
      id: 'yossi',
      name: 'Yossi Cohen',
    });
  });
});

describe('assignment, transfer and refusals', () => {
  it('take over is sent only as the agent confirmed it; release; the relay’s refusal reaches the agent in its words', async () => {
    const { relay, signIn, call } = setup();
    await signIn('blt_token_ana_0001');
    await relay.deliver([{ kind: 'conversation.upserted', conversation: conversation('c1', { assignedAgentId: 'dana' }) }]);
    relay.answers['conversations.assign'] = (params) =>
      (params as { takeOver?: boolean }).takeOver === true
        ? { ok: true, value: { conversation: conversation('c1', { assignedAgentId: 'ana' }) } }
        : { ok: false, error: { code: 'conflict', message: 'Assigned to Dana Levi: confirm to take it over', retryable: false } };
    expect(await call('conversations.assignToMe', { conversationId: 'c1', mine: true })).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'Assigned to Dana Levi: confirm to take it over' },
    });
    expect(await call('conversations.assignToMe', { conversationId: 'c1', mine: true, takeOver: true })).toMatchObject({ ok: true });
    expect(await call('conversations.assignToMe', { conversationId: 'c1', mine: false, takeOver: true })).toMatchObject({ ok: false });
    expect(relay.sent('conversations.assign')).toEqual([
      { conversationId: 'c1', agentId: 'ana' },
      { conversationId: 'c1', agentId: 'ana', takeOver: true },
      { conversationId: 'c1', agentId: null },
    ]);

    relay.answers['messages.markRead'] = () => ({
      ok: false,
      error: { code: 'forbidden', message: 'This conversation is now handled by the North branch team', retryable: false },
    });
    expect(await call('messages.markRead', { conversationId: 'c1', upToMessageId: 'm1' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'This conversation is now handled by the North branch team' },
    });
  });

  it('a transfer goes to the relay for a supervisor; an agent is told at once that only a supervisor can', async () => {
    const agent = setup();
    await agent.signIn('blt_token_ana_0001');
    expect(await agent.call('conversations.transfer', { conversationId: 'c1', teamId: 'north' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/supervisor/) },
    });
    expect(agent.relay.sent('conversations.transfer')).toEqual([]);

    const lead = setup();
    await lead.signIn('blt_token_sam_0001');
    lead.relay.answers['conversations.transfer'] = () => ({
      ok: true,
      value: { conversation: conversation('c1', { team: { id: 'north', name: 'North branch' } }) },
    });
    expect(await lead.call('conversations.transfer', { conversationId: 'c1', teamId: 'north' })).toMatchObject({ ok: true });
    expect(lead.relay.sent('conversations.transfer')).toEqual([{ conversationId: 'c1', teamId: 'north' }]);
  });
});

describe('directory.get', () => {
  const directory = {
    me: ANA,
    agents: [{ id: 'dana', name: 'Dana Levi', role: 'agent', teamIds: ['main'] }],
    teams: [
      { id: 'main', name: 'Main branch' },
      { id: 'north', name: 'North branch' },
    ],
  };

  it('is kept from the relay’s answer, and answered from that copy while offline', async () => {
    const { relay, signIn, value, clock } = setup();
    await signIn('blt_token_ana_0001');
    relay.answers['directory.get'] = () => ({ ok: true, value: directory });
    const fetchedAt = clock.wallNow();
    expect(await value('directory.get', {})).toEqual({ ...directory, fetchedAt });
    relay.down();
    clock.advance(3_600_000);
    expect(await value<Directory>('directory.get', {})).toEqual({ ...directory, fetchedAt });
  });

  it('offline and never fetched on this computer: says it needs the relay once', async () => {
    const { relay, signIn, call } = setup();
    await signIn('blt_token_ana_0001');
    relay.down();
    expect(await call('directory.get', {})).toMatchObject({ ok: false, error: { code: 'offline' } });
  });
});

/** Waits (bounded) for work the console does after a commit, such as paging a history. */
async function expectSoon(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}
