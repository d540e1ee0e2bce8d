// The wipe and retention as a security officer checks them: planted customer data searched for in the raw bytes of
// every file under a real cache folder (console.db, its WAL and shm, media files).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { LocalQueries } from './local-queries';
import { openLocalStore, type LocalStore } from './local-store';
import { inboundText } from './test-support/messages';
import { plantedIn } from './test-support/planted';

const T0 = Date.UTC(2026, 10, 24, 9);
const DAY = 86_400_000;
const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

/** Distinct words, so a hit can only be the planted data. */
const PLANTED = {
  message: 'Zanzibarquartz IBAN',
  name: 'Yaelkowitz',
  phone: '972549998877',
  draft: 'Draftpinnumber',
  document: 'Ultramarinestatement',
  queued: 'Keptqueuedwords',
};

const conversation = (id: string, name: string, waId: string): Conversation => ({
  id,
  customer: { waId, name },
  assignedAgentId: null,
  lastInboundAt: T0,
  caseId: null,
  readUpTo: null,
  lastMessageAt: T0,
  createdAt: T0,
  updatedAt: T0,
});

function planted(): { dir: string; store: LocalStore; keptId: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-wipe-'));
  const store = openLocalStore(dir);
  open.push(store);
  store.applyEvents([
    { seq: 1, event: { kind: 'conversation.upserted', conversation: conversation('c1', PLANTED.name, PLANTED.phone) } },
    { seq: 2, event: { kind: 'conversation.upserted', conversation: conversation('c2', 'Other', '972500000002') } },
    { seq: 3, event: { kind: 'message.created', message: inboundText('m1', 'c1', `my ${PLANTED.message} is IL62 0108`, T0) } },
    {
      seq: 4,
      event: {
        kind: 'message.created',
        message: {
          ...inboundText('m2', 'c1', 'statement attached', T0),
          content: { type: 'document', mediaId: 'doc1', mimeType: 'application/pdf', size: 20 },
        },
      },
    },
  ]);
  store.media.put('doc1', { mimeType: 'application/pdf', fileName: 'statement.pdf', bytes: Buffer.from(`%PDF ${PLANTED.document}`) }, T0);
  store.session.saveDraft('c1', `card ${PLANTED.draft}`, T0);
  store.session.setAgent({ id: 'ana', name: 'Ana', role: 'agent', teams: [] }, 'key-ana');
  const keptId = uuidv7();
  store.outbox.queue({
    id: keptId,
    request: { conversationId: 'c2', content: { type: 'text', body: PLANTED.queued } },
    content: { type: 'text', body: PLANTED.queued },
    agentId: 'ana',
    agentName: 'Ana',
    now: T0,
  });
  return { dir, store, keptId };
}

describe('wiping the cache', () => {
  it('leaves none of the planted strings in any file when queued messages are discarded', () => {
    const { dir, store } = planted();
    expect(plantedIn(dir, PLANTED).sort()).toEqual(Object.keys(PLANTED).sort());
    expect(store.wipe({ queued: 'discard', author: { id: 'ana', key: 'key-ana' } })).toEqual({ keptQueued: 0, vacuumed: true });
    expect(plantedIn(dir, PLANTED)).toEqual([]);
    expect(store.session.get()).toMatchObject({ agent: null, agentKey: null, cursor: null });
    expect(new LocalQueries(store.db).search('zanzibarquartz', 10)).toEqual([]);
  });

  it('keeps only the queued message (and the conversation it goes to) when the agent keeps it, sendable later', () => {
    const { dir, store, keptId } = planted();
    expect(store.wipe({ queued: 'keep', author: { id: 'ana', key: 'key-ana' } })).toEqual({ keptQueued: 1, vacuumed: true });
    expect(plantedIn(dir, PLANTED)).toEqual(['queued']);
    expect(store.outbox.due(T0, 10, { id: 'ana', key: null }).map((o) => o.messageId)).toEqual([keptId]);
    expect(store.conversation('c2')).not.toBeNull();
    expect(store.conversation('c1')).toBeNull();
  });

  it('keeps what a colleague queued when the agent signing out discards their own', () => {
    const { dir, store, keptId } = planted();
    const mine = uuidv7();
    store.outbox.queue({
      id: mine,
      request: { conversationId: 'c2', content: { type: 'text', body: 'mine' } },
      content: { type: 'text', body: 'mine' },
      agentId: 'ben',
      now: T0,
    });
    store.wipe({ queued: 'discard', author: { id: 'ben', key: 'key-ben' } });
    expect(store.outbox.due(T0, 10).map((o) => o.messageId)).toEqual([keptId]);
    expect(store.message(mine)).toBeNull();
    expect(plantedIn(dir, PLANTED)).toEqual(['queued']);
  });

  it('still leaves nothing behind when VACUUM fails (a full disk: it needs room for a copy of the file)', () => {
    const { dir, store } = planted();
    const exec = store.db.exec.bind(store.db);
    store.db.exec = (sql: string) => {
      if (sql === 'VACUUM') throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return exec(sql);
    };
    expect(store.wipe({ queued: 'discard', author: { id: 'ana', key: 'key-ana' } })).toEqual({ keptQueued: 0, vacuumed: false });
    expect(plantedIn(dir, PLANTED)).toEqual([]);
  });

  it('survives a restart: the reopened cache is empty but for the kept message', () => {
    const { dir, store, keptId } = planted();
    store.wipe({ queued: 'keep', author: { id: 'ana', key: 'key-ana' } });
    store.close();
    const reopened = openLocalStore(dir);
    open.push(reopened);
    expect(reopened.db.prepare('SELECT id FROM conversations').all()).toEqual([{ id: 'c2' }]);
    expect(reopened.message(keptId)?.content).toEqual({ type: 'text', body: PLANTED.queued });
  });
});

describe('retention', () => {
  it('removes a pruned message and its document from every file, even a document opened recently', () => {
    const { dir, store } = planted();
    store.applyEvents([{ seq: 5, event: { kind: 'message.created', message: inboundText('m3', 'c1', 'newest', T0 + 40 * DAY) } }]);
    store.db.prepare('UPDATE messages SET created_at = ? WHERE id IN (?, ?)').run(T0 - 40 * DAY, 'm1', 'm2');
    expect(plantedIn(dir, { document: PLANTED.document, message: PLANTED.message })).toEqual(['document', 'message']);
    // The document was cached at T0, after the cutoff: only its message's age says it must go.
    expect(store.pruneHistory(T0 - 30 * DAY)).toEqual({ messages: 2, files: 1 });
    expect(store.media.get('doc1')).toBeNull();
    expect(plantedIn(dir, { document: PLANTED.document, message: PLANTED.message })).toEqual([]);
  });
});
