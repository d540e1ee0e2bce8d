// Sign-out and a change of agent through the whole console core (scripted relay link, real cache folder): what the agent
// saw leaves every file under the data folder; queued messages they keep go later, as theirs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../shared/domain';
import type { Console } from './create-console';
import { customerConversation, inboundText } from './test-support/messages';
import { plantedIn } from './test-support/planted';
import { BEN, NOW, scriptedConsole } from './test-support/scripted-relay';

const consoles: Console[] = [];
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
});

const PLANTED = {
  message: 'Zanzibarquartz IL620108',
  name: 'Yaelkowitz',
  phone: '972549998877',
  draft: 'Draftpinnumber',
  document: 'Ultramarinestatement',
};
const KEPT = 'Keptqueuedwords';

const conversation = (id: string, name: string, waId: string): Conversation => customerConversation(id, NOW, { customer: { waId, name } });

/** Ana signed in, saw a customer's message and statement, typed a draft, and queued a reply (to another customer) offline. */
async function anasConsole() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-wipe-console-'));
  const ctx = scriptedConsole((c) => consoles.push(c), dataDir);
  const { relay, signIn, value } = ctx;
  relay.answers['conversations.list'] = () => ({ ok: true, value: { conversations: [], nextCursor: null, total: 0, head: 0 } });
  relay.answers['messages.send'] = (params) => {
    const { clientMessageId } = params as { clientMessageId: string };
    return { ok: true, value: { message: { ...ctx.store.message(clientMessageId)!, status: 'pending' } } };
  };
  await signIn('blt_token_ana_0001');
  await relay.deliver([
    { kind: 'conversation.upserted', conversation: conversation('c1', PLANTED.name, PLANTED.phone) },
    { kind: 'conversation.upserted', conversation: conversation('c2', 'Other customer', '972500000002') },
    { kind: 'message.created', message: inboundText('in-1', 'c1', `my account ${PLANTED.message}`, NOW - 120_000) },
  ]);
  ctx.store.media.put('doc-1', { mimeType: 'application/pdf', fileName: 'statement.pdf', bytes: Buffer.from(`%PDF ${PLANTED.document}`) }, NOW);
  await value('drafts.save', { conversationId: 'c1', text: `card ${PLANTED.draft}` });
  relay.down();
  const { message } = await value<{ message: Message }>('messages.sendText', { conversationId: 'c2', body: KEPT });
  expect(plantedIn(dataDir, { ...PLANTED, kept: KEPT }).sort()).toEqual([...Object.keys(PLANTED), 'kept'].sort());
  return { ...ctx, dataDir, queued: message };
}

describe('sign-out wipes the cache', () => {
  it('discarding the queued messages leaves none of the planted strings in any file (database, WAL, media)', async () => {
    const { dataDir, value, store, of } = await anasConsole();
    expect(store.outbox.queuedCount()).toBe(1);
    const session = await value('session.signOut', { queued: 'discard' });
    expect(session).toMatchObject({ signedIn: false, agent: null });
    expect(plantedIn(dataDir, { ...PLANTED, kept: KEPT })).toEqual([]);
    expect(store.outbox.queuedCount()).toBe(0);
    expect(of('connection.changed').at(-1)).toMatchObject({ status: 'signed_out', queued: 0 });
  });

  it('keeping them leaves only their text, and they go when that agent signs in again', async () => {
    const { dataDir, value, signIn, relay, queued } = await anasConsole();
    await value('session.signOut', {});
    expect(plantedIn(dataDir, { ...PLANTED, kept: KEPT })).toEqual(['kept']);
    await signIn('blt_token_ana_0001');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(relay.sent('messages.send')).toEqual([{ clientMessageId: queued.id, conversationId: 'c2', content: { type: 'text', body: KEPT } }]);
  });

  it('refuses a choice it does not know', async () => {
    const { call } = await anasConsole();
    expect(await call('session.signOut', { queued: 'later' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('another agent signing in', () => {
  it('never sees the previous agent’s cache: it is gone from every file before their resync, queued work aside', async () => {
    const { dataDir, call, store, queued, relay } = await anasConsole();
    // No sign-out (Ana's token was revoked, say): Ben signs in over her session; the relay answers once his link is open.
    const signing = call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token: 'blt_token_ben_0001' });
    for (let i = 0; i < 100 && relay.options?.token !== 'blt_token_ben_0001'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    relay.live();
    expect(await signing).toMatchObject({ ok: true, value: { agent: BEN } });
    expect(store.session.get().agent).toEqual(BEN);
    expect(plantedIn(dataDir, { ...PLANTED, kept: KEPT })).toEqual(['kept']);
    expect(store.message(queued.id)).toMatchObject({ status: 'queued', sender: { id: 'ana' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(relay.sent('messages.send')).toEqual([]);
  });
});
