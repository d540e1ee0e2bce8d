// Store contract, what WhatsApp tells the relay: a message filed once per wamid, statuses merged in order (and kept
// when they race ahead of their send), edits and deletions in any order, identity changes, groups, and unfiled items.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { parseWebhook } from '../domain/parse-webhook';
import type { RelayStore } from '../store/relay-store';
import {
  batch,
  customerWrites,
  events,
  inbound,
  MAIN_NUMBER,
  person,
  seedBranches,
  send,
  status,
  T0,
  useStore,
  type OpenStore,
} from './store-contract-support';

const DANA = '972541234567';
const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);

/** One of Meta's recorded deliveries, read by the relay's own parser. */
function metaDelivery(name: string, now: number) {
  const parsed = parseWebhook(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')), { now });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

async function messages(store: RelayStore, conversationId: string): Promise<Message[]> {
  const page = await store.history(conversationId, undefined, 100);
  if (!page.ok) throw new Error(page.error.message);
  return page.value.items;
}

/** An agent's send to Dana, taken by the dispatcher and answered by Meta with `wamid` (null: the answer was lost). */
async function sent(store: RelayStore, conversationId: string, wamid: string | null): Promise<string> {
  const accepted = await send(store, 'ana', conversationId);
  if (!accepted.ok) throw new Error(accepted.error.message);
  await store.markInFlight(accepted.value.id, T0 + 2000);
  if (wamid !== null) await store.completeSend(accepted.value.id, wamid, T0 + 3000);
  return accepted.value.id;
}

const statusOf = async (store: RelayStore, conversationId: string, messageId: string) =>
  (await messages(store, conversationId)).find((m) => m.id === messageId)?.status;

export function webhooksContract(open: OpenStore): void {
  describe('webhooks', () => {
    const store = useStore(open);
    beforeEach(async () => {
      await seedBranches(store());
    });

    it('files a customer’s message once per wamid, in the team of the number written to; a repeated delivery changes nothing', async () => {
      const delivery = batch({ messages: [inbound(person(DANA, null, 'Dana'), 'wamid.IN1')] });
      expect(await store().recordWebhook(delivery, T0 + 10)).toEqual({ mediaToFetch: [], changed: true, unfiled: [] });
      const head = await store().head();
      expect(await store().recordWebhook(delivery, T0 + 20)).toEqual({ mediaToFetch: [], changed: false, unfiled: [] });
      expect(await store().head()).toBe(head);
      const list = await store().listConversations(undefined, 10);
      expect(list.ok && list.value.items).toMatchObject([
        { customer: { waId: DANA, name: 'Dana' }, team: { id: 'main' }, assignedAgentId: null, lastInboundAt: T0 },
      ]);
      const [conversation] = list.ok ? list.value.items : [];
      expect(await messages(store(), conversation!.id)).toMatchObject([
        { direction: 'in', content: { type: 'text', body: 'Hello, is my card ready?' }, createdAt: T0, senderAgentId: null },
      ]);
      expect((await events(store())).filter((e) => e.kind === 'message.created')).toHaveLength(1);
    });

    it('files a delivery of Meta’s with several entries, each customer in their own conversation, once', async () => {
      const now = Date.UTC(2025, 10, 24, 9);
      const delivery = metaDelivery('inbound-batch-two-entries.json', now);
      expect((await store().recordWebhook(delivery, now)).changed).toBe(true);
      expect((await store().recordWebhook(delivery, now + 1000)).changed).toBe(false);
      const list = await store().listConversations(undefined, 10);
      const byName = new Map((list.ok ? list.value.items : []).map((c) => [c.customer.name, c.id]));
      expect([...byName.keys()].sort()).toEqual(['Dana Levi', 'Yossi Cohen']);
      const bodies = (await messages(store(), byName.get('Dana Levi')!)).map((m) => m.content.type === 'text' && m.content.body);
      expect(bodies).toEqual(['Hello??', 'Are you there?']);
    });

    it('links a reply to the message it quotes, and a reaction to the message it is on', async () => {
      const id = await customerWrites(store(), DANA, 'wamid.IN1');
      await customerWrites(store(), DANA, 'wamid.IN2', { at: T0 + 1, contextWamid: 'wamid.IN1' });
      await customerWrites(store(), DANA, 'wamid.IN3', { at: T0 + 2, content: { type: 'reaction', emoji: '👍', targetWamid: 'wamid.IN1' } });
      const [reaction, reply, first] = await messages(store(), id);
      expect(reply!.replyToId).toBe(first!.id);
      expect(reaction!.content).toEqual({ type: 'reaction', emoji: '👍', targetMessageId: first!.id });
    });

    it('merges statuses in order: a late “delivered” never undoes “read”; a failure is told with its reason', async () => {
      const id = await customerWrites(store(), DANA, 'wamid.IN1');
      const messageId = await sent(store(), id, 'wamid.OUT1');
      expect(await statusOf(store(), id, messageId)).toBe('sent');
      await store().recordWebhook(batch({ statuses: [status('wamid.OUT1', 'delivered'), status('wamid.OUT1', 'read', { at: T0 + 1 })] }), T0 + 10);
      expect(await statusOf(store(), id, messageId)).toBe('read');
      const head = await store().head();
      expect((await store().recordWebhook(batch({ statuses: [status('wamid.OUT1', 'delivered', { at: T0 + 2 })] }), T0 + 11)).changed).toBe(false);
      expect(await statusOf(store(), id, messageId)).toBe('read');
      expect(await store().head()).toBe(head);
      const failing = await sent(store(), id, 'wamid.OUT2');
      const beforeFailure = await store().head();
      await store().recordWebhook(batch({ statuses: [status('wamid.OUT2', 'failed')] }), T0 + 12);
      const failed = (await messages(store(), id)).find((m) => m.id === failing);
      expect(failed).toMatchObject({ status: 'failed', failure: { code: 'undeliverable', metaCode: 131047 } });
      expect((await events(store(), beforeFailure)).filter((e) => e.kind === 'message.status')).toMatchObject([{ messageId: failing, status: 'failed' }]);
    });

    it('adopts a send whose answer was lost when a status names it (biz_opaque): it is never sent again', async () => {
      const id = await customerWrites(store(), DANA, 'wamid.IN1');
      const messageId = await sent(store(), id, null);
      await store().recordWebhook(batch({ statuses: [status('wamid.OUT1', 'sent', { bizOpaque: messageId })] }), T0 + 10);
      expect(await statusOf(store(), id, messageId)).toBe('sent');
      expect(await store().pendingJobCount()).toBe(0);
      await store().recoverInFlight(T0 + 20, 1000);
      expect(await store().dueJobs(T0 + 60_000, 10)).toEqual([]);
      await store().recordWebhook(batch({ statuses: [status('wamid.OUT1', 'delivered')] }), T0 + 30);
      expect(await statusOf(store(), id, messageId)).toBe('delivered');
    });

    it('keeps a status that arrives before its send’s answer, and applies it when the answer comes', async () => {
      const id = await customerWrites(store(), DANA, 'wamid.IN1');
      const messageId = await sent(store(), id, null);
      expect((await store().recordWebhook(batch({ statuses: [status('wamid.OUT1', 'delivered')] }), T0 + 10)).changed).toBe(true);
      expect(await statusOf(store(), id, messageId)).toBe('pending');
      // Meta repeats deliveries: the same early status again is kept once and changes nothing.
      expect((await store().recordWebhook(batch({ statuses: [status('wamid.OUT1', 'delivered')] }), T0 + 11)).changed).toBe(false);
      await store().completeSend(messageId, 'wamid.OUT1', T0 + 20);
      expect(await statusOf(store(), id, messageId)).toBe('delivered');
    });

    it('applies edits and deletions, even those that arrive before their message; repeats change nothing', async () => {
      const edit = (wamid: string, target: string, body: string, at: number) => ({
        wamid,
        kind: 'edit' as const,
        targetWamid: target,
        content: { type: 'text' as const, body },
        from: person(DANA),
        timestamp: at,
        phoneNumberId: MAIN_NUMBER,
        groupId: null,
      });
      const id = await customerWrites(store(), DANA, 'wamid.IN1');
      const head = await store().head();
      const delivery = batch({ revisions: [edit('wamid.E1', 'wamid.IN1', 'Is my new card ready?', T0 + 5)] });
      expect((await store().recordWebhook(delivery, T0 + 10)).changed).toBe(true);
      expect((await events(store(), head)).map((e) => e.kind)).toContain('message.updated');
      expect(await messages(store(), id)).toMatchObject([
        { content: { body: 'Is my new card ready?' }, edited: { at: T0 + 5, previous: [{ type: 'text', body: 'Hello, is my card ready?' }] } },
      ]);
      expect((await store().recordWebhook(delivery, T0 + 11)).changed).toBe(false);
      // The edit of a message still on its way: the agent first sees the message as it now stands.
      await store().recordWebhook(batch({ revisions: [edit('wamid.E2', 'wamid.IN2', 'Thanks, see you', T0 + 7)] }), T0 + 12);
      await customerWrites(store(), DANA, 'wamid.IN2', { at: T0 + 6, content: { type: 'text', body: 'Thanks' } });
      const deletion = { ...edit('wamid.D1', 'wamid.IN1', '', T0 + 8), kind: 'delete' as const, content: null };
      await store().recordWebhook(batch({ revisions: [deletion] }), T0 + 13);
      const [second, first] = await messages(store(), id);
      expect(second).toMatchObject({ content: { type: 'text', body: 'Thanks, see you' }, edited: { previous: [{ body: 'Thanks' }] } });
      expect(first!.content).toEqual({ type: 'deleted' });
      expect(JSON.stringify(first)).not.toContain('card ready');
    });

    it('keeps a customer in one conversation when WhatsApp adds their BSUID or moves them to a new number', async () => {
      const id = await customerWrites(store(), DANA, 'wamid.IN1');
      await store().recordWebhook(batch({ messages: [inbound(person(DANA, 'IL.abc123'), 'wamid.IN2', { at: T0 + 1 })] }), T0 + 10);
      expect((await store().conversationsById([id]))[0]!.customer).toMatchObject({ waId: DANA, bsuid: 'IL.abc123' });
      const moved = { type: 'system' as const, event: 'number_changed' as const, newWaId: '972549999999' };
      await store().recordWebhook(batch({ messages: [inbound(person(DANA), 'wamid.SYS1', { at: T0 + 2, content: moved })] }), T0 + 20);
      expect((await store().conversationsById([id]))[0]!.customer.waId).toBe('972549999999');
      expect(await customerWrites(store(), '972549999999', 'wamid.IN3', { at: T0 + 3 })).toBe(id);
      const list = await store().listConversations(undefined, 10);
      expect(list.ok && list.value.total).toBe(1);
    });

    it('joins two conversations of one person once WhatsApp shows both their ids: history and queued sends move along', async () => {
      const byPhone = await customerWrites(store(), DANA, 'wamid.IN1');
      await store().recordWebhook(batch({ messages: [inbound(person(null, 'IL.dana1'), 'wamid.IN2', { at: T0 + 1 })] }), T0 + 1);
      const list = await store().listConversations(undefined, 10);
      const byBsuid = (list.ok ? list.value.items : []).find((c) => c.id !== byPhone)!.id;
      const queued = await send(store(), 'ana', byBsuid, { now: T0 + 1500 });
      expect(queued.ok).toBe(true);
      const head = await store().head();
      await store().recordWebhook(batch({ messages: [inbound(person(DANA, 'IL.dana1'), 'wamid.IN3', { at: T0 + 2 })] }), T0 + 2000);
      const merged = await store().listConversations(undefined, 10);
      expect(merged.ok && merged.value.items.map((c) => c.id)).toHaveLength(1);
      const kept = merged.ok ? merged.value.items[0]!.id : '';
      const dropped = kept === byPhone ? byBsuid : byPhone;
      expect(await store().conversationsById([dropped])).toEqual([]);
      expect((await messages(store(), kept)).map((m) => m.direction)).toEqual(['out', 'in', 'in', 'in']); // newest first
      expect(await events(store(), head)).toContainEqual(expect.objectContaining({ kind: 'conversation.removed', conversationId: dropped, mergedInto: kept }));
      expect(await store().dueJobs(T0 + 5000, 10)).toMatchObject([
        { messageId: queued.ok && queued.value.id, conversationId: kept, to: { kind: 'phone', waId: DANA } },
      ]);
    });

    it('moves a customer along when an account event tells that their BSUID changed', async () => {
      const yossi = '972501112233';
      await store().recordWebhook(batch({ messages: [inbound(person(yossi, 'IL.y1'), 'wamid.Y1')] }), T0);
      const list = await store().listConversations(undefined, 10);
      const id = list.ok ? list.value.items[0]!.id : '';
      const changed = { kind: 'user_id_changed' as const, previousBsuid: 'IL.y1', bsuid: 'IL.y2', waId: yossi, phoneNumberId: MAIN_NUMBER };
      expect((await store().recordWebhook(batch({ accountEvents: [changed] }), T0 + 10)).changed).toBe(true);
      expect((await store().conversationsById([id]))[0]!.customer).toMatchObject({ waId: yossi, bsuid: 'IL.y2' });
      await store().recordWebhook(batch({ messages: [inbound(person(null, 'IL.y2'), 'wamid.Y2', { at: T0 + 1 })] }), T0 + 20);
      expect((await messages(store(), id)).map((m) => m.createdAt)).toEqual([T0 + 1, T0]);
    });

    it('files a group’s messages in the group’s conversation, each with its author', async () => {
      const delivery = batch({ messages: [inbound(person(DANA, null, 'Dana'), 'wamid.G1', { groupId: 'group-branch-1' })] });
      await store().recordWebhook(delivery, T0 + 10);
      const list = await store().listConversations(undefined, 10);
      const [group] = list.ok ? list.value.items : [];
      expect(group).toMatchObject({ group: { id: 'group-branch-1' } });
      expect(await messages(store(), group!.id)).toMatchObject([{ author: { waId: DANA, name: 'Dana' } }]);
    });

    it('leaves unfiled an item naming nobody it can address, filing the rest of the delivery', async () => {
      const delivery = batch({ messages: [inbound(person(null, null, 'Ghost'), 'wamid.X1'), inbound(person(DANA), 'wamid.IN1')] });
      const outcome = await store().recordWebhook(delivery, T0 + 10);
      expect(outcome.unfiled).toMatchObject([{ wamid: 'wamid.X1' }]);
      expect(outcome.unfiled[0]!.reason).not.toBe('');
      expect(outcome.changed).toBe(true);
      const list = await store().listConversations(undefined, 10);
      expect(list.ok && list.value.items.map((c) => c.customer.waId)).toEqual([DANA]);
    });

    it('asks for inbound media once, however many messages show it', async () => {
      const image = { type: 'image' as const, waMediaId: 'wa-media-1', mimeType: 'image/jpeg', caption: 'my card' };
      const first = await store().recordWebhook(batch({ messages: [inbound(person(DANA), 'wamid.IN1', { content: image })] }), T0 + 10);
      expect(first.mediaToFetch).toMatchObject([{ waMediaId: 'wa-media-1' }]);
      const { mediaId } = first.mediaToFetch[0]!;
      const again = await store().recordWebhook(batch({ messages: [inbound(person(DANA), 'wamid.IN2', { content: image, at: T0 + 1 })] }), T0 + 20);
      expect(again.mediaToFetch).toEqual([]);
      expect(await store().getMedia(mediaId)).toMatchObject({
        id: mediaId,
        origin: 'inbound',
        state: 'pending',
        waMediaId: 'wa-media-1',
        mimeType: 'image/jpeg',
      });
      expect(await store().pendingInboundMedia(10)).toEqual([{ mediaId, waMediaId: 'wa-media-1' }]);
      const list = await store().listConversations(undefined, 1);
      const conversation = list.ok ? list.value.items[0]!.id : '';
      expect((await messages(store(), conversation)).map((m) => m.content)).toMatchObject([
        { type: 'image', mediaId, caption: 'my card' },
        { type: 'image', mediaId },
      ]);
    });
  });
}
