// The local cache on a real SQLite file: migrations, idempotent event application, the outbox, drafts, search.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Message, MessageStatus } from '../../shared/domain';
import { DatabaseTooNewError } from '../../shared/migrations';
import type { SequencedEvent } from '../../shared/protocol';
import { uuidv7 } from '../../shared/uuidv7';
import { mediaDirOf, openLocalDatabase } from './local-db';
import { localMigrations } from './local-migrations';
import { LocalQueries } from './local-queries';
import { openLocalStore, type ChangeSet, type LocalStore } from './local-store';
import { inboundText } from './test-support/messages';

const LOCAL_MIGRATIONS = localMigrations('/nonexistent-media-dir');

const T0 = Date.UTC(2026, 10, 24, 9);
const open: LocalStore[] = [];

function freshStore(
  dir = mkdtempSync(path.join(tmpdir(), 'branchline-local-')),
  onRepaired?: (changes: ChangeSet, messageId: string, reason: string) => void,
): { store: LocalStore; queries: LocalQueries; dir: string } {
  const store = openLocalStore(dir, onRepaired === undefined ? {} : { onRepaired });
  open.push(store);
  return { store, queries: new LocalQueries(store.db), dir };
}

afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

function conversation(id: string, waId: string, name: string, updatedAt = T0, extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    customer: { waId, name },
    assignedAgentId: null,
    lastInboundAt: T0,
    caseId: null,
    readUpTo: null,
    lastMessageAt: T0,
    createdAt: T0,
    updatedAt,
    ...extra,
  };
}

const inbound = (id: string, conversationId: string, body: string, at = T0): Message => inboundText(id, conversationId, body, at);

let seq = 0;
const ev = (event: SequencedEvent['event']): SequencedEvent => ({ seq: ++seq, event });

describe('local database', () => {
  it('creates the newest schema on an empty file and records its version', () => {
    const { store } = freshStore();
    expect(store.db.pragma('user_version', { simple: true })).toBe(LOCAL_MIGRATIONS.length);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it.each(LOCAL_MIGRATIONS.map((m) => [m.version, m.description] as const))('migration %i (%s) applies to the schema before it', (version) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-mig-'));
    const db = new Database(path.join(dir, 'console.db'));
    for (const m of localMigrations(mediaDirOf(dir)).slice(0, version - 1)) m.up(db);
    db.pragma(`user_version = ${version - 1}`);
    db.close();
    const { store } = freshStore(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LOCAL_MIGRATIONS.length);
  });

  it('refuses a database written by a newer Branchline, leaving it untouched', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-new-'));
    const db = new Database(path.join(dir, 'console.db'));
    db.pragma('user_version = 99');
    db.close();
    expect(() => openLocalDatabase(dir)).toThrow(DatabaseTooNewError);
    expect(() => openLocalDatabase(dir)).toThrow(/newer version of Branchline/);
    const again = new Database(path.join(dir, 'console.db'));
    expect(again.pragma('user_version', { simple: true })).toBe(99);
    again.close();
  });
});

describe('applying relay events', () => {
  it('is idempotent: the same batch twice leaves the same state and reports nothing new the second time', () => {
    const { store, queries } = freshStore();
    const batch = [
      ev({ kind: 'message.created', message: inbound('m1', 'c1', 'hello') }),
      ev({ kind: 'conversation.upserted', conversation: conversation('c1', '972541234567', 'Dana') }),
    ];
    const first = store.applyEvents(batch);
    expect(first.newInbound.map((m) => m.id)).toEqual(['m1']);
    const second = store.applyEvents(batch);
    expect(second.newInbound).toEqual([]);
    expect(queries.messages('c1', 50).messages).toHaveLength(1);
    expect(store.cursor()).toBe(batch.at(-1)!.seq);
  });

  it('merges statuses monotonically whatever order they arrive in', () => {
    const orders: MessageStatus[][] = [
      ['sent', 'delivered', 'read'],
      ['read', 'sent', 'delivered'],
      ['delivered', 'read', 'failed'],
    ];
    for (const order of orders) {
      const { store } = freshStore();
      const out: Message = { ...inbound('m1', 'c1', 'x'), direction: 'out', status: 'pending' };
      store.applyEvents([ev({ kind: 'message.created', message: out })]);
      store.applyEvents(order.map((status) => ev({ kind: 'message.status', messageId: 'm1', conversationId: 'c1', status, failure: null, at: T0 })));
      expect(store.message('m1')!.status).toBe('read');
    }
  });

  it('never lets an older conversation snapshot overwrite a newer one', () => {
    const { store } = freshStore();
    store.applyEvents([ev({ kind: 'conversation.upserted', conversation: conversation('c1', '1234567', 'New name', T0 + 10, { caseId: 'CASE-2' }) })]);
    store.applyEvents([ev({ kind: 'conversation.upserted', conversation: conversation('c1', '1234567', 'Old name', T0, { caseId: null }) })]);
    expect(store.conversation('c1')).toMatchObject({ customer: { name: 'New name' }, caseId: 'CASE-2' });
  });

  it('keeps the cursor where the last committed batch ended when a batch fails', () => {
    const { store } = freshStore();
    store.applyEvents([ev({ kind: 'message.created', message: inbound('m1', 'c1', 'a') })]);
    const before = store.cursor();
    const broken = { seq: seq + 1, event: { kind: 'message.created', message: null } } as unknown as SequencedEvent;
    expect(() => store.applyEvents([ev({ kind: 'message.created', message: inbound('m2', 'c1', 'b') }), broken])).toThrow();
    expect(store.cursor()).toBe(before);
    expect(store.message('m2')).toBeNull(); // the whole batch rolled back
  });
});

describe('the outbox', () => {
  const request = (conversationId: string, body: string) => ({ conversationId, content: { type: 'text' as const, body } });

  it('saves the message and its outbox row together, survives a reopen, and drains per conversation in order', () => {
    const { store, dir } = freshStore();
    store.applyEvents([
      ev({ kind: 'conversation.upserted', conversation: conversation('a', '1111111', 'A') }),
      ev({ kind: 'conversation.upserted', conversation: conversation('b', '2222222', 'B') }),
    ]);
    const ids = ['a1', 'b1', 'a2', 'b2', 'a3'].map((label, i) => ({ label, id: uuidv7(), conv: label[0]!, at: T0 + i }));
    for (const m of ids)
      store.outbox.queue({ id: m.id, request: request(m.conv, m.label), content: { type: 'text', body: m.label }, agentId: 'ana', now: m.at });
    store.close();

    const reopened = freshStore(dir).store;
    expect(reopened.outbox.queuedCount()).toBe(5);
    // Only the oldest of each conversation is due.
    expect(reopened.outbox.due(T0 + 100, 10).map((o) => o.request.content)).toEqual([
      { type: 'text', body: 'a1' },
      { type: 'text', body: 'b1' },
    ]);
    const a1 = ids[0]!;
    reopened.outbox.accepted(a1.id, { ...reopened.message(a1.id)!, status: 'pending' });
    expect(reopened.outbox.due(T0 + 100, 10).map((o) => o.messageId)).toEqual([ids[1]!.id, ids[2]!.id]);
    expect(reopened.message(a1.id)!.status).toBe('pending');
  });

  it('holds a row back until its retry time, keeping the next message of that conversation waiting', () => {
    const { store } = freshStore();
    store.applyEvents([ev({ kind: 'conversation.upserted', conversation: conversation('a', '1111111', 'A') })]);
    const first = uuidv7();
    const second = uuidv7();
    store.outbox.queue({ id: first, request: request('a', '1'), content: { type: 'text', body: '1' }, agentId: null, now: T0 });
    store.outbox.queue({ id: second, request: request('a', '2'), content: { type: 'text', body: '2' }, agentId: null, now: T0 });
    store.outbox.retryLater(first, 1, T0 + 5_000);
    expect(store.outbox.due(T0 + 1_000, 10)).toEqual([]);
    expect(store.outbox.nextDue()).toBe(T0 + 5_000);
    expect(store.outbox.due(T0 + 5_000, 10).map((o) => o.messageId)).toEqual([first]);
  });

  it('fails a message with a reason, lets later ones go, and lets the agent discard it', () => {
    const { store, queries } = freshStore();
    store.applyEvents([ev({ kind: 'conversation.upserted', conversation: conversation('a', '1111111', 'A') })]);
    const [m1, m2] = [uuidv7(), uuidv7()];
    store.outbox.queue({ id: m1, request: request('a', 'late'), content: { type: 'text', body: 'late' }, agentId: null, now: T0 });
    store.outbox.queue({ id: m2, request: request('a', 'next'), content: { type: 'text', body: 'next' }, agentId: null, now: T0 + 1 });
    store.outbox.failed(m1, { code: 'template_required', message: 'window closed' }, T0 + 2);
    expect(store.message(m1)).toMatchObject({ status: 'failed', failure: { code: 'template_required' } });
    expect(store.outbox.due(T0 + 10, 10).map((o) => o.messageId)).toEqual([m2]);
    expect(store.outbox.queuedCount()).toBe(1);
    expect(store.outbox.discard(m1)).toBe('a');
    expect(queries.messages('a', 10).messages.map((m) => m.id)).toEqual([m2]);
  });

  it('addresses a customer by WhatsApp id before any conversation exists, then moves to the relay conversation', () => {
    const { store, queries } = freshStore();
    const id = uuidv7();
    const queued = store.outbox.queue({
      id,
      request: { waId: '972549999999', content: { type: 'text', body: 'hi' } },
      content: { type: 'text', body: 'hi' },
      agentId: 'ana',
      now: T0,
    });
    // A conversation of its own, with an opaque id: the UI never sees how the cache marks it as not yet known to the relay.
    expect(queued.conversationId).not.toContain('972549999999');
    expect(store.outbox.isLocalOnly(queued.conversationId)).toBe(true);
    expect(store.conversation(queued.conversationId)).toMatchObject({ customer: { waId: '972549999999', name: null } });
    expect(store.outbox.due(T0, 10)[0]!.request).toMatchObject({ waId: '972549999999' });
    store.outbox.accepted(id, { ...queued, conversationId: 'real', status: 'pending' });
    store.applyEvents([ev({ kind: 'conversation.upserted', conversation: conversation('real', '972549999999', 'Eli') })]);
    expect(store.conversation(queued.conversationId)).toBeNull();
    expect(store.outbox.isLocalOnly('real')).toBe(false);
    expect(queries.messages('real', 10).messages.map((m) => m.id)).toEqual([id]);
  });

  it('clears the draft of a conversation when a message is sent from it', () => {
    const { store } = freshStore();
    store.session.saveDraft('a', 'half-written reply', T0);
    expect(store.session.draft('a')).toBe('half-written reply');
    store.outbox.queue({ id: uuidv7(), request: request('a', 'done'), content: { type: 'text', body: 'done' }, agentId: null, now: T0 });
    expect(store.session.draft('a')).toBe('');
  });
});

describe('queries', () => {
  function seeded() {
    const ctx = freshStore();
    ctx.store.applyEvents([
      ev({
        kind: 'conversation.upserted',
        conversation: conversation('c1', '972541234567', 'Dana Levi', T0, { assignedAgentId: 'ana', lastMessageAt: T0 + 2 }),
      }),
      ev({ kind: 'conversation.upserted', conversation: conversation('c2', '972500000002', 'Yossi Cohen', T0, { lastMessageAt: T0 + 1, readUpTo: T0 + 1 }) }),
      ev({ kind: 'message.created', message: inbound('m1', 'c1', 'I need my loan statement for March', T0 + 2) }),
      ev({ kind: 'message.created', message: inbound('m2', 'c2', 'Thanks, all good', T0 + 1) }),
    ]);
    return ctx;
  }

  it.each([
    ['all', ['c1', 'c2']],
    ['mine', ['c1']],
    ['unassigned', ['c2']],
    ['unread', ['c1']],
  ] as const)('filters "%s" to %j, most recent first', (filter, expected) => {
    const { queries } = seeded();
    expect(queries.listConversations(filter, 'ana', 50, 0).items.map((s) => s.conversation.id)).toEqual(expected);
  });

  it('summarises each conversation with a preview and an unread count', () => {
    const { queries } = seeded();
    const [dana] = queries.listConversations('all', 'ana', 50, 0).items;
    expect(dana).toMatchObject({ preview: 'I need my loan statement for March', previewDirection: 'in', unread: 1, hasDraft: false });
  });

  it.each([
    ['statement', 'm1'],
    ['STATE', 'm1'],
    ['yossi', null],
    ['97254123', null],
    ['"; DROP TABLE messages; --', undefined],
  ])('finds %s', (query, messageId) => {
    const { queries } = seeded();
    const hits = queries.search(query, 10);
    if (messageId === undefined) expect(hits).toEqual([]);
    else expect(hits[0]).toMatchObject({ messageId });
  });

  it('pages older history without overlap and opens around a search hit', () => {
    const { store, queries } = freshStore();
    store.applyEvents(
      Array.from({ length: 25 }, (_, i) => ev({ kind: 'message.created', message: inbound(`m${String(i).padStart(2, '0')}`, 'c', `n${i}`, T0 + i) })),
    );
    const first = queries.messages('c', 10);
    const second = queries.messages('c', 10, first.olderCursor!);
    const third = queries.messages('c', 10, second.olderCursor!);
    const all = [...first.messages, ...second.messages, ...third.messages].map((m) => m.id);
    expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `m${String(24 - i).padStart(2, '0')}`));
    expect(third.hasOlder).toBe(false);
    const around = queries.messages('c', 5, undefined, 'm05');
    expect(around.messages.map((m) => m.id)).toContain('m05');
    expect(around.messages.at(-1)!.id).toBe('m01');
  });
});
