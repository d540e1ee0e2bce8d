// Queued work keeps its author on a shared console (scripted relay link, real cache): what one agent queued is never
// sent when another signs in; it reads as theirs, anyone may discard it, only they may send it again, and it goes
// when they are back.
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../shared/domain';
import type { Console } from './create-console';
import { customerConversation } from './test-support/messages';
import { NOW, scriptedConsole } from './test-support/scripted-relay';

const consoles: Console[] = [];
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
});

const conversation = (id: string): Conversation => customerConversation(id, NOW);
const inbound: Message = {
  id: 'in-1',
  conversationId: 'c1',
  direction: 'in',
  content: { type: 'text', body: 'hello' },
  status: 'delivered',
  failure: null,
  replyToId: null,
  senderAgentId: null,
  createdAt: NOW - 3_600_000,
  updatedAt: NOW - 3_600_000,
};

/** Ana queued a reply while offline, then signed out; Ben signs in on the same console. */
async function sharedConsole() {
  const ctx = scriptedConsole((c) => consoles.push(c));
  const { relay, signIn, value } = ctx;
  relay.answers['conversations.list'] = () => ({ ok: true, value: { conversations: [conversation('c1')], nextCursor: null, total: 1, head: 0 } });
  relay.answers['messages.history'] = () => ({ ok: true, value: { messages: [inbound], nextCursor: null } });
  relay.answers['messages.send'] = (params) => {
    const { clientMessageId } = params as { clientMessageId: string };
    return { ok: true, value: { message: { ...ctx.store.message(clientMessageId)!, status: 'pending' } } };
  };
  await signIn('blt_token_ana_0001');
  await relay.deliver([
    { kind: 'conversation.upserted', conversation: conversation('c1') },
    { kind: 'message.created', message: inbound },
  ]);
  relay.down();
  const { message } = await value<{ message: Message }>('messages.sendText', { conversationId: 'c1', body: 'Your card is on its way, Ana' });
  await value('session.signOut', {});
  await signIn('blt_token_ben_0001');
  await relay.resync();
  return { ...ctx, anas: message };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('queued work keeps its author', () => {
  it('is not sent when another agent signs in; it reads as the author’s and is not counted as theirs', async () => {
    const { relay, core, value, anas } = await sharedConsole();
    const { message: bens } = await value<{ message: Message }>('messages.sendText', { conversationId: 'c1', body: 'Ben here' });
    await settle();
    // Ben's own message went (the drainer ran for him); Ana's did not.
    expect(relay.sent('messages.send').map((p) => (p as { clientMessageId: string }).clientMessageId)).toEqual([bens.id]);
    expect(core.connectionState().queued).toBe(0);
    expect(core.store.message(anas.id)).toMatchObject({ status: 'queued', senderAgentId: 'ana', sender: { id: 'ana', name: 'Ana Cohen' } });
  });

  it('goes when its author signs in again, once', async () => {
    const { relay, value, signIn, anas } = await sharedConsole();
    await settle();
    await value('session.signOut', {});
    await signIn('blt_token_ana_0001');
    await settle();
    expect(relay.sent('messages.send')).toEqual([
      { clientMessageId: anas.id, conversationId: 'c1', content: { type: 'text', body: 'Your card is on its way, Ana' } },
    ]);
  });

  it('may be discarded by anyone, and then is never sent', async () => {
    const { core, call, value, signIn, relay, anas } = await sharedConsole();
    expect(await call('messages.discard', { messageId: anas.id })).toMatchObject({ ok: true });
    expect(core.store.outbox.queuedCount()).toBe(0);
    await value('session.signOut', {});
    await signIn('blt_token_ana_0001');
    await settle();
    expect(relay.sent('messages.send')).toEqual([]);
  });

  it('a colleague’s failed message: retry is refused in words, discard works', async () => {
    const ctx = await sharedConsole();
    ctx.core.store.outbox.failed(ctx.anas.id, { code: 'rejected', message: 'no' }, NOW);
    expect(await ctx.call('messages.retry', { messageId: ctx.anas.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/Only Ana Cohen can send this again/) },
    });
    expect(await ctx.call('messages.discard', { messageId: ctx.anas.id })).toMatchObject({ ok: true });
  });
});
