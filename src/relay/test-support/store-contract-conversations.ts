// Store contract, agents' requests on a conversation and the paged reads: mark read, case links, assignment and
// take-over, release, transfer (each with an actor's rights checked and audited), listConversations and history.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/relay-store';
import {
  at,
  batch,
  customerWrites,
  inbound,
  kindsFor,
  MAIN_NUMBER,
  NORTH_NUMBER,
  person,
  seedBranches,
  send,
  T0,
  useStore,
  type OpenStore,
} from './store-contract-support';

const DANA = '972541234567';

const value = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};
const inboundIds = async (store: RelayStore, id: string) =>
  value(await store.history(id, undefined, 100))
    .items.filter((m) => m.direction === 'in')
    .map((m) => m.id);
const auditActions = async (store: RelayStore, conversationId: string) =>
  (await store.readAudit({ conversationId, limit: 100 })).map((e) => [e.action, e.actorId, e.source]);

export function conversationsContract(open: OpenStore): void {
  describe('agent requests on a conversation', () => {
    const store = useStore(open);
    let dana: string;
    let north: string;
    beforeEach(async () => {
      await seedBranches(store());
      dana = await customerWrites(store(), DANA, 'wamid.IN1');
      await customerWrites(store(), DANA, 'wamid.IN2', { at: T0 + 1 });
      north = await customerWrites(store(), '972541112223', 'wamid.N1', { phoneNumberId: NORTH_NUMBER });
    });

    it('marks read up to an inbound message: what to tell WhatsApp, announced and audited; the pointer never goes back', async () => {
      const [second, first] = await inboundIds(store(), dana);
      const head = await store().head();
      const read = value(await store().markRead(dana, second!, T0 + 10, at('ana')));
      expect(read).toMatchObject({ wamid: 'wamid.IN2', phoneNumberId: MAIN_NUMBER, conversation: { id: dana, readUpTo: T0 + 1 } });
      expect(await kindsFor(store(), ['main'], head)).toEqual(['conversation.upserted']);
      expect(await auditActions(store(), dana)).toEqual([['conversation.mark_read', 'ana', '10.0.0.9']]);
      expect(value(await store().markRead(dana, first!, T0 + 11)).conversation.readUpTo).toBe(T0 + 1);
      const outbound = value(await send(store(), 'ana', dana)).id;
      expect(await store().markRead(dana, outbound, T0 + 12)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await store().markRead(north, second!, T0 + 12)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await store().markRead('no-such-conversation', second!, T0 + 12)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('tells WhatsApp of no read mark in a group, where Meta has no read receipts', async () => {
      const delivery = batch({ messages: [inbound(person(DANA), 'wamid.G1', { groupId: 'group-branch-1' })] });
      await store().recordWebhook(delivery, T0 + 5);
      const list = value(await store().listConversations(undefined, 10));
      const group = list.items.find((c) => c.group?.id === 'group-branch-1')!.id;
      const [message] = await inboundIds(store(), group);
      expect(value(await store().markRead(group, message!, T0 + 10, at('ana')))).toMatchObject({ wamid: null, conversation: { readUpTo: T0 } });
    });

    it('refuses a request of an actor who may not work the conversation, storing nothing', async () => {
      const [second] = await inboundIds(store(), dana);
      const head = await store().head();
      expect(await store().markRead(dana, second!, T0 + 10, at('noa'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().linkCase(dana, 'CASE-1', T0 + 10, at('ido'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().assign(dana, 'noa', T0 + 10, { actor: at('noa') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().head()).toBe(head);
      expect(await store().readAudit({ conversationId: dana, limit: 10 })).toEqual([]);
      expect((await store().conversationsById([dana]))[0]).toMatchObject({ readUpTo: null, caseId: null, assignedAgentId: null });
    });

    it('links and unlinks a case; an assigned conversation is its assignee’s (or a supervisor’s) to link', async () => {
      expect(value(await store().linkCase(dana, 'CASE-1', T0 + 10, at('ana'))).caseId).toBe('CASE-1');
      expect(value(await store().linkCase(dana, null, T0 + 11, at('ana'))).caseId).toBeNull();
      expect(await auditActions(store(), dana)).toEqual([
        ['conversation.link_case', 'ana', '10.0.0.9'],
        ['conversation.link_case', 'ana', '10.0.0.9'],
      ]);
      expect((await send(store(), 'noa', north)).ok).toBe(true);
      const refused = await store().linkCase(north, 'CASE-2', T0 + 12, at('tal'));
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(refused.ok || refused.error.message).toContain('Noa Katz');
      expect(value(await store().linkCase(north, 'CASE-2', T0 + 13, at('sara'))).caseId).toBe('CASE-2');
      expect(await store().linkCase('no-such-conversation', 'CASE-3', T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('lets an agent take an unassigned conversation, and take over an assigned one only once she confirms', async () => {
      expect(value(await store().assign(north, 'tal', T0 + 10, { actor: at('tal') })).assignedAgent).toEqual({ id: 'tal', name: 'Tal North' });
      const unconfirmed = await store().assign(north, 'noa', T0 + 11, { actor: at('noa') });
      expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(unconfirmed.ok || unconfirmed.error.message).toContain('Tal North');
      const head = await store().head();
      expect(value(await store().assign(north, 'noa', T0 + 12, { actor: at('noa'), takeOver: true })).assignedAgentId).toBe('noa');
      expect(await kindsFor(store(), ['north'], head)).toEqual(['conversation.upserted']);
      const trail = await store().readAudit({ conversationId: north, limit: 10 });
      expect(trail.map((e) => e.action)).toEqual(['conversation.assign', 'conversation.take_over']);
      expect(trail[1]).toMatchObject({ actorId: 'noa', source: '10.0.0.9', detail: { from: 'tal', to: 'noa' } });
      // Tal no longer has it: her release is refused, Noa's own is not.
      expect(await store().assign(north, null, T0 + 13, { actor: at('tal') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(value(await store().assign(north, null, T0 + 14, { actor: at('noa') })).assignedAgentId).toBeNull();
      expect((await store().readAudit({ conversationId: north, limit: 10 })).at(-1)!.action).toBe('conversation.release');
    });

    it('lets only a supervisor give a conversation to a colleague, who must be an active member of its team', async () => {
      expect(await store().assign(north, 'tal', T0, { actor: at('noa') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().assign(north, 'ana', T0, { actor: at('sara') })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await store().assign(north, 'nobody', T0, { actor: at('sara') })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      await store().revokeAgent('tal', T0);
      expect(await store().assign(north, 'tal', T0, { actor: at('sara') })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(value(await store().assign(north, 'noa', T0 + 1, { actor: at('sara') })).assignedAgentId).toBe('noa');
      expect(value(await store().assign(north, null, T0 + 2, { actor: at('sara') })).assignedAgentId).toBeNull();
      // Without an actor (the operator's tools) nothing is checked but that the agent is active.
      expect(value(await store().assign(dana, 'ana', T0 + 3)).assignedAgentId).toBe('ana');
      expect(await store().assign('no-such-conversation', 'ana', T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('lets only a supervisor transfer to another existing team: unassigned, audited, the old team can no longer write', async () => {
      expect((await send(store(), 'noa', north)).ok).toBe(true);
      expect(await store().transfer(north, 'main', T0, at('noa'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().transfer(north, 'south', T0, at('sara'))).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await store().transfer(north, 'north', T0, at('sara'))).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      const moved = value(await store().transfer(north, 'main', T0 + 5, at('sara', '10.1.1.1')));
      expect(moved).toMatchObject({ team: { id: 'main', name: 'Main' }, assignedAgentId: null });
      expect(await store().conversationAccess(north)).toEqual({
        id: north,
        team: { id: 'main', name: 'Main' },
        assignedAgentId: null,
        phoneNumberId: NORTH_NUMBER,
      });
      expect((await store().readAudit({ conversationId: north, limit: 10 })).at(-1)).toMatchObject({
        action: 'conversation.transfer',
        actorId: 'sara',
        source: '10.1.1.1',
      });
      const refused = await send(store(), 'noa', north);
      expect(refused.ok || refused.error.message).toContain('Main team');
      expect((await send(store(), 'ana', north)).ok).toBe(true);
    });

    it('reads conversations by id, leaving unknown ones out', async () => {
      expect((await store().conversationsById([north, 'no-such-conversation', dana])).map((c) => c.id).sort()).toEqual([dana, north].sort());
      expect(await store().conversationsById([])).toEqual([]);
      expect(await store().conversationAccess('no-such-conversation')).toBeNull();
      expect(await store().conversationAccess(dana)).toEqual({
        id: dana,
        team: { id: 'main', name: 'Main' },
        assignedAgentId: null,
        phoneNumberId: MAIN_NUMBER,
      });
    });
  });

  describe('paged reads', () => {
    const store = useStore(open);
    const ids: string[] = [];
    beforeEach(async () => {
      await seedBranches(store());
      ids.length = 0;
      for (let i = 0; i < 5; i += 1) {
        const number = i % 2 === 0 ? MAIN_NUMBER : NORTH_NUMBER;
        ids.push(await customerWrites(store(), `97254000000${i}`, `wamid.P${i}`, { phoneNumberId: number, at: T0 + i * 1000 }));
      }
    });

    async function listAll(limit: number, teams?: string[]): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const read = value(await store().listConversations(cursor, limit, teams));
        expect(read.items.length).toBeLessThanOrEqual(limit);
        seen.push(...read.items.map((c) => c.id));
        if (read.nextCursor === null) return seen;
        cursor = read.nextCursor;
      }
      throw new Error('listConversations never ended');
    }

    it('lists conversations newest activity first, page by page, each once, with the total and the head', async () => {
      const newestFirst = [...ids].reverse();
      expect(await listAll(2)).toEqual(newestFirst);
      expect(await listAll(5)).toEqual(newestFirst);
      const first = value(await store().listConversations(undefined, 2));
      expect(first).toMatchObject({ total: 5, head: await store().head() });
      expect(first.nextCursor).not.toBeNull();
      expect(value(await store().listConversations(undefined, 10)).nextCursor).toBeNull();
      // An agent's send is activity too: that conversation comes first.
      expect((await send(store(), 'ana', ids[0]!, { now: T0 + 10_000 })).ok).toBe(true);
      expect((await listAll(3))[0]).toBe(ids[0]);
    });

    it('lists only the given teams’ conversations, and counts only those', async () => {
      const main = ids.filter((_, i) => i % 2 === 0).reverse();
      expect(await listAll(2, ['main'])).toEqual(main);
      expect(value(await store().listConversations(undefined, 1, ['main'])).total).toBe(3);
      expect(value(await store().listConversations(undefined, 10, ['north', 'north'])).total).toBe(2);
      expect(value(await store().listConversations(undefined, 10, []))).toMatchObject({ items: [], total: 0, nextCursor: null });
    });

    it('pages a conversation’s history newest first', async () => {
      for (let i = 1; i <= 4; i += 1) await customerWrites(store(), '972540000000', `wamid.H${i}`, { at: T0 + 100 + i });
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const read = value(await store().history(ids[0]!, cursor, 2));
        seen.push(...read.items.map((m) => m.createdAt));
        if (read.nextCursor === null) break;
        cursor = read.nextCursor;
      }
      expect(seen).toEqual([T0 + 104, T0 + 103, T0 + 102, T0 + 101, T0]);
    });

    it('refuses a cursor it did not issue and an unknown conversation', async () => {
      expect(await store().listConversations('not-a-cursor', 2)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await store().history(ids[0]!, 'not-a-cursor', 2)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(await store().history('no-such-conversation', undefined, 2)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });
  });
}
