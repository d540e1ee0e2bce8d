// Protocol v2's events through the whole console core (scripted relay link, real cache): edits and deletions replace
// the stored copy without notifying, a removed conversation leaves nothing behind and keeps what the agent typed,
// customers without a phone number and groups are named, and a conversation can be started from a shared number.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../shared/clock';
import type { ConsoleEvent, EventPayload } from '../../shared/contract';
import type { Conversation, Message, MessageContent } from '../../shared/domain';
import type { SequencedEvent } from '../../shared/protocol';
import { createConsole, type Console } from './create-console';
import type { ConnectionFactory, LinkSnapshot } from './service-types';
import { customerConversation } from './test-support/messages';

const NOW = Date.UTC(2026, 4, 24, 10);
const consoles: Console[] = [];
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
});

/** A signed-in console whose relay link the test plays: events in, nothing sent while it is not live. */
async function signedIn() {
  const clock = createFakeClock(NOW, 0);
  let options!: Parameters<ConnectionFactory>[0];
  let snapshot: LinkSnapshot = { status: 'connecting', transport: null, nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null };
  const connect: ConnectionFactory = (o) => {
    options = o;
    return {
      start: () => {},
      stop: async () => {},
      retryNow: () => {},
      snapshot: () => snapshot,
      request: async () => ({ ok: false, error: { code: 'offline', message: 'scripted', retryable: true } }),
    };
  };
  const core = createConsole({ dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-v2-')), connect, clock, coalesceMs: 50, signInTimeoutMs: 2_000 });
  consoles.push(core);
  const events: { event: ConsoleEvent; payload: unknown }[] = [];
  core.service.on((event, payload) => events.push({ event, payload }));
  const signing = core.service.call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token: 'blt_token_value' });
  await Promise.resolve();
  snapshot = { ...snapshot, status: 'live', transport: 'ws', agent: { id: 'ana', name: 'Ana Cohen' } };
  options.onStateChange(snapshot);
  expect((await signing).ok).toBe(true);
  // Offline from here on: what the agent sends stays in the outbox.
  snapshot = { ...snapshot, status: 'backing_off', transport: null };
  options.onStateChange(snapshot);
  let seq = 0;
  const deliver = async (list: SequencedEvent['event'][]) => {
    await options.onEvents(list.map((event) => ({ seq: ++seq, event })));
    clock.advance(60);
  };
  const of = <E extends ConsoleEvent>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
  const call = async <T>(method: Parameters<Console['service']['call']>[0], input: unknown): Promise<T> => {
    const result = await core.service.call(method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };
  return { core, store: core.store, clock, deliver, of, call };
}

const conversation = (id: string, extra: Partial<Conversation> = {}): Conversation => customerConversation(id, NOW, { createdAt: NOW - 60_000, ...extra });
const inbound = (id: string, conversationId: string, content: MessageContent, extra: Partial<Message> = {}): Message => ({
  id,
  conversationId,
  direction: 'in',
  content,
  status: 'delivered',
  failure: null,
  replyToId: null,
  senderAgentId: null,
  createdAt: NOW - 30_000,
  updatedAt: NOW - 30_000,
  ...extra,
});
const text = (body: string): MessageContent => ({ type: 'text', body });

describe('message.updated', () => {
  it('replaces the stored copy with the edit, keeps the earlier version, finds the new words, and does not notify', async () => {
    const { deliver, of, call } = await signedIn();
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1') },
      { kind: 'message.created', message: inbound('m1', 'c1', text('IBAN DE00 1234')) },
    ]);
    expect(of('notification.show')).toHaveLength(1);
    const edited = inbound('m1', 'c1', text('IBAN DE00 9999'), { edited: { at: NOW, previous: [text('IBAN DE00 1234')] } });
    await deliver([{ kind: 'message.updated', message: edited }]);
    expect(of('notification.show')).toHaveLength(1);
    expect(of('messages.changed').at(-1)?.messages).toMatchObject([
      { id: 'm1', content: text('IBAN DE00 9999'), edited: { previous: [text('IBAN DE00 1234')] } },
    ]);
    const page = await call<{ messages: Message[] }>('messages.page', { conversationId: 'c1', limit: 10 });
    expect(page.messages).toMatchObject([{ id: 'm1', content: text('IBAN DE00 9999'), edited: { at: NOW } }]);
    expect((await call<{ hits: unknown[] }>('conversations.search', { query: '9999', limit: 10 })).hits).toHaveLength(1);
    expect((await call<{ hits: unknown[] }>('conversations.search', { query: '1234', limit: 10 })).hits).toHaveLength(0);
  });

  it('hides a deleted message’s content from the preview and from search', async () => {
    const { deliver, call } = await signedIn();
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1') },
      { kind: 'message.created', message: inbound('m1', 'c1', text('card 4111 1111')) },
    ]);
    await deliver([{ kind: 'message.updated', message: inbound('m1', 'c1', { type: 'deleted' }) }]);
    expect(await call('conversations.get', { conversationId: 'c1' })).toMatchObject({ preview: 'Deleted by the customer' });
    expect((await call<{ hits: unknown[] }>('conversations.search', { query: '4111', limit: 10 })).hits).toEqual([]);
  });

  it('applied before its original arrived: the late original neither undoes it nor notifies twice', async () => {
    const { deliver, of, store } = await signedIn();
    const edit = inbound('m1', 'c1', text('see you at 11'), { edited: { at: NOW, previous: [text('see you at 10')] } });
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1') },
      { kind: 'message.updated', message: edit },
    ]);
    await deliver([{ kind: 'message.created', message: inbound('m1', 'c1', text('see you at 10')) }]);
    expect(store.message('m1')?.content).toEqual(text('see you at 11'));
    expect(of('notification.show')).toEqual([]);
  });
});

describe('conversation.removed', () => {
  it('merged: the queued reply and the draft move to the surviving conversation, the rest is dropped and the UI told', async () => {
    const { deliver, of, call, store } = await signedIn();
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('old', { customer: { waId: '972541234567', name: 'Dana Levi' } }) },
      { kind: 'conversation.upserted', conversation: conversation('new', { customer: { waId: null, bsuid: 'US.13491208655302741918', name: 'Dana Levi' } }) },
      { kind: 'message.created', message: inbound('m-old', 'old', text('my old number')) },
    ]);
    const queued = await call<{ message: Message }>('messages.sendText', { conversationId: 'old', body: 'We will call you back' });
    await call('drafts.save', { conversationId: 'old', text: 'And your card' });

    await deliver([{ kind: 'conversation.removed', conversationId: 'old', mergedInto: 'new' }]);

    expect(of('conversations.removed')).toEqual([{ items: [{ conversationId: 'old', mergedInto: 'new' }] }]);
    expect(store.conversation('old')).toBeNull();
    expect(store.message('m-old')).toBeNull();
    expect((await call<{ messages: Message[] }>('messages.page', { conversationId: 'new', limit: 10 })).messages.map((m) => m.id)).toEqual([queued.message.id]);
    expect(store.outbox.due(NOW + 1_000_000, 10)).toMatchObject([{ messageId: queued.message.id, conversationId: 'new', request: { conversationId: 'new' } }]);
    expect(await call('drafts.get', { conversationId: 'new' })).toEqual({ text: 'And your card' });
    expect(await call('drafts.get', { conversationId: 'old' })).toEqual({ text: '' });
    expect(
      (await call<{ items: { conversation: Conversation }[] }>('conversations.list', { filter: 'all', limit: 10, offset: 0 })).items.map(
        (s) => s.conversation.id,
      ),
    ).toEqual(['new']);
    expect((await call<{ hits: unknown[] }>('conversations.search', { query: 'old number', limit: 10 })).hits).toEqual([]);
  });

  it('not merged: its cached media files are deleted with it', async () => {
    const { deliver, store } = await signedIn();
    const photo: MessageContent = { type: 'image', mediaId: 'media-1', mimeType: 'image/jpeg' };
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1') },
      { kind: 'message.created', message: inbound('m1', 'c1', photo) },
    ]);
    store.media.put('media-1', { bytes: Buffer.from('JFIF'), mimeType: 'image/jpeg', fileName: null }, NOW);
    await deliver([{ kind: 'conversation.removed', conversationId: 'c1', mergedInto: null }]);
    expect(store.media.get('media-1')).toBeNull();
    expect(store.conversation('c1')).toBeNull();
  });
});

describe('who a conversation is with', () => {
  it('a customer WhatsApp gives no number for is named by username in notifications and found by username and BSUID', async () => {
    const { deliver, of, call } = await signedIn();
    await call('settings.set', { notificationPrivacy: 'show' });
    const customer = { waId: null, bsuid: 'US.13491208655302741918', username: 'noa.k', name: null };
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('c1', { customer }) },
      { kind: 'message.created', message: inbound('m1', 'c1', text('hello')) },
    ]);
    expect(of('notification.show')).toEqual([{ conversationId: 'c1', messageId: 'm1', title: '@noa.k', body: 'hello' }]);
    for (const query of ['noa', 'US.1349120865']) {
      expect((await call<{ hits: unknown[] }>('conversations.search', { query, limit: 10 })).hits).toMatchObject([{ conversationId: 'c1', customer }]);
    }
  });

  it('a group: the notification names the group and, in its text, who wrote', async () => {
    const { deliver, of, call } = await signedIn();
    await call('settings.set', { notificationPrivacy: 'show' });
    const group = { id: '120363041234567890', subject: 'Levi family account' };
    const author = { waId: '972541234567', bsuid: null, name: 'Dana' };
    await deliver([
      { kind: 'conversation.upserted', conversation: conversation('g1', { customer: { waId: null, name: null }, group }) },
      { kind: 'message.created', message: inbound('m1', 'g1', text('who signs the form?'), { author }) },
    ]);
    expect(of('notification.show')).toEqual([{ conversationId: 'g1', messageId: 'm1', title: 'Levi family account', body: 'Dana: who signs the form?' }]);
  });
});

describe('conversations.startWith (a number from a shared contact card)', () => {
  it('opens the conversation there is, or starts one here whose first message goes to the number', async () => {
    const { deliver, call, store, clock, of } = await signedIn();
    await deliver([{ kind: 'conversation.upserted', conversation: conversation('c1') }]);
    expect(await call('conversations.findByWaId', { waId: '972541234567' })).toEqual({ conversationId: 'c1' });
    expect(await call('conversations.startWith', { waId: '972541234567' })).toEqual({ conversationId: 'c1', created: false });

    expect(await call('conversations.findByWaId', { waId: '447700900123' })).toEqual({ conversationId: null });
    const started = await call<{ conversationId: string; created: boolean }>('conversations.startWith', { waId: '447700900123' });
    expect(started.created).toBe(true);
    clock.advance(60);
    expect(of('conversations.changed').flatMap((e) => e.items.map((s) => s.conversation.id))).toContain(started.conversationId);
    expect(await call('conversations.startWith', { waId: '447700900123' })).toEqual({ conversationId: started.conversationId, created: false });
    // A customer who never wrote: WhatsApp allows a template only; the relay learns of the conversation with it.
    expect(await call('conversations.get', { conversationId: started.conversationId })).toMatchObject({ conversation: { lastInboundAt: null } });
    await call('messages.sendTemplate', { conversationId: started.conversationId, name: 'welcome', language: 'en', parameters: [] });
    expect(store.outbox.due(NOW + 1_000_000, 10).map((o) => o.request)).toEqual([
      { waId: '447700900123', content: { type: 'template', name: 'welcome', language: 'en', parameters: [] } },
    ]);
  });
});
