// Schema 2's promises on a real cache folder: media as files pruned with retention, search kept by triggers,
// upload state that goes with its message, and stored rows that are parsed rather than trusted.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { mediaDirOf } from './local-db';
import { LocalQueries } from './local-queries';
import { openLocalStore, type ChangeSet, type LocalStore } from './local-store';
import { inboundText } from './test-support/messages';

const T0 = Date.UTC(2026, 10, 24, 9);
const DAY = 86_400_000;
const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

function fresh(options: { onRepaired?: (changes: ChangeSet, id: string, reason: string) => void } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-cache-'));
  const store = openLocalStore(dir, options);
  open.push(store);
  return { dir, store, queries: new LocalQueries(store.db) };
}

const conversation = (id: string, name: string, updatedAt = T0): Conversation => ({
  id,
  customer: { waId: '972541234567', name },
  assignedAgentId: null,
  lastInboundAt: T0,
  caseId: null,
  readUpTo: null,
  lastMessageAt: T0,
  createdAt: T0,
  updatedAt,
});
const inbound = (id: string, body: string, at: number): Message => inboundText(id, 'c1', body, at);
let seq = 0;
const apply = (store: LocalStore, event: Parameters<LocalStore['applyEvents']>[0][number]['event']) => store.applyEvents([{ seq: ++seq, event }]);

describe('media as files beside the database', () => {
  it('keeps the bytes out of console.db, in a private file named by a random id', () => {
    const { dir, store } = fresh();
    store.media.put(
      '../../etc/passwd:1',
      { mimeType: 'application/pdf', fileName: 'statement.pdf', bytes: Buffer.from('IBAN IL62 0108 0000 0009 9999 999') },
      T0,
    );
    expect(store.media.get('../../etc/passwd:1')?.bytes.toString()).toBe('IBAN IL62 0108 0000 0009 9999 999');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(path.join(dir, 'console.db')).includes('IBAN IL62')).toBe(false);
    const [file] = readdirSync(mediaDirOf(dir));
    expect(file).toMatch(/^[0-9a-f-]{36}\.bin$/);
  });

  it('prunes cached files with the same cutoff as messages, keeping files of messages still to be sent', () => {
    const { dir, store } = fresh();
    apply(store, { kind: 'conversation.upserted', conversation: conversation('c1', 'Dana') });
    store.media.put('old-statement', { mimeType: 'application/pdf', fileName: null, bytes: Buffer.from('old statement bytes') }, T0 - 40 * DAY);
    store.media.put('new-photo', { mimeType: 'image/jpeg', fileName: null, bytes: Buffer.from('new photo bytes') }, T0);
    const queuedFile = uuidv7();
    store.outbox.queue({
      id: uuidv7(),
      request: { conversationId: 'c1', content: { type: 'document', mediaId: queuedFile, fileName: 'form.pdf' } },
      content: { type: 'document', mediaId: queuedFile, mimeType: 'application/pdf', fileName: 'form.pdf', size: 10 },
      agentId: 'ana',
      now: T0 - 40 * DAY,
      file: { mimeType: 'application/pdf', fileName: 'form.pdf', bytes: Buffer.from('queued form') },
    });
    expect(store.pruneHistory(T0 - 30 * DAY).files).toBe(1);
    expect(store.media.get('old-statement')).toBeNull();
    expect(store.media.get(queuedFile)?.bytes.toString()).toBe('queued form');
    const onDisk = readdirSync(mediaDirOf(dir)).map((f) => readFileSync(path.join(mediaDirOf(dir), f), 'utf8'));
    expect(onDisk.sort()).toEqual(['new photo bytes', 'queued form']);
  });

  it('sweeps files a crash left without a row, and treats a row whose file vanished as a cache miss', () => {
    const { dir, store } = fresh();
    store.media.put('m1', { mimeType: 'image/jpeg', fileName: null, bytes: Buffer.from('kept') }, T0);
    writeFileSync(path.join(mediaDirOf(dir), 'left-by-a-crash.bin.tmp'), 'half a statement');
    store.close();
    const reopened = openLocalStore(dir);
    open.push(reopened);
    expect(readdirSync(mediaDirOf(dir))).toHaveLength(1);
    expect(reopened.media.get('m1')?.bytes.toString()).toBe('kept');
    for (const f of readdirSync(mediaDirOf(dir))) rmSync(path.join(mediaDirOf(dir), f));
    expect(reopened.media.get('m1')).toBeNull();
    expect(reopened.db.prepare('SELECT count(*) AS n FROM media_files').get()).toEqual({ n: 0 });
  });
});

describe('the search index, kept by the database', () => {
  it('follows renames, discards and retention without a rebuild', () => {
    const { store, queries } = fresh();
    apply(store, { kind: 'conversation.upserted', conversation: conversation('c1', 'Dana Levi') });
    apply(store, { kind: 'message.created', message: inbound('old', 'my mortgage question', T0 - 40 * DAY) });
    apply(store, { kind: 'message.created', message: inbound('new', 'thanks', T0) });
    expect(queries.search('mortgage', 10).map((h) => h.messageId)).toEqual(['old']);
    apply(store, { kind: 'conversation.upserted', conversation: conversation('c1', 'Dana Cohen', T0 + 1) });
    expect(queries.search('levi', 10)).toEqual([]);
    expect(queries.search('cohen', 10)).toMatchObject([{ conversationId: 'c1', messageId: null }]);
    store.pruneHistory(T0 - 30 * DAY);
    expect(queries.search('mortgage', 10)).toEqual([]);
    const id = uuidv7();
    store.outbox.queue({
      id,
      request: { conversationId: 'c1', content: { type: 'text', body: 'wrong customer' } },
      content: { type: 'text', body: 'wrong customer' },
      agentId: null,
      now: T0,
    });
    expect(queries.search('wrong', 10)).toHaveLength(1);
    store.outbox.discard(id);
    expect(queries.search('wrong', 10)).toEqual([]);
    expect(store.db.prepare("SELECT count(*) AS n FROM message_search WHERE message_search MATCH 'thanks'").get()).toEqual({ n: 1 });
  });
});

describe('the outbox and its uploads', () => {
  it('forgets the upload once the relay took the message, and keeps the file under the relay’s media id', () => {
    const { store } = fresh();
    apply(store, { kind: 'conversation.upserted', conversation: conversation('c1', 'Dana') });
    const local = uuidv7();
    const id = uuidv7();
    const queued = store.outbox.queue({
      id,
      request: { conversationId: 'c1', content: { type: 'image', mediaId: local } },
      content: { type: 'image', mediaId: local, mimeType: 'image/jpeg', size: 5 },
      agentId: 'ana',
      now: T0,
      file: { mimeType: 'image/jpeg', fileName: 'id.jpg', bytes: Buffer.from('photo') },
    });
    expect(store.media.uploadOf(local)).toBeNull();
    store.media.setUploaded(local, 'relay-media-1');
    store.outbox.accepted(id, { ...queued, content: { type: 'image', mediaId: 'relay-media-1', mimeType: 'image/jpeg', size: 5 }, status: 'pending' });
    expect(store.media.uploadOf(local)).toBeUndefined();
    expect(store.media.get('relay-media-1')?.bytes.toString()).toBe('photo');
  });

  it('fails a stored request that no longer parses, with words, and lets the next message of that conversation go', () => {
    const repaired: { id: string; changes: ChangeSet }[] = [];
    const { store } = fresh({ onRepaired: (changes, id) => repaired.push({ id, changes }) });
    apply(store, { kind: 'conversation.upserted', conversation: conversation('c1', 'Dana') });
    const [broken, next] = [uuidv7(), uuidv7()];
    for (const [id, body] of [
      [broken, 'first'],
      [next, 'second'],
    ] as const) {
      store.outbox.queue({ id, request: { conversationId: 'c1', content: { type: 'text', body } }, content: { type: 'text', body }, agentId: null, now: T0 });
    }
    store.db.prepare('UPDATE outbox SET request = \'{"content":{"type":"fax"}}\' WHERE message_id = ?').run(broken);
    expect(store.outbox.due(T0, 10).map((o) => o.messageId)).toEqual([]);
    expect(repaired.map((r) => r.id)).toEqual([broken]);
    expect(store.message(broken)).toMatchObject({ status: 'failed', failure: { code: 'invalid_input' } });
    expect([...repaired[0]!.changes.messages.keys()]).toEqual([broken]);
    expect(store.outbox.due(T0, 10).map((o) => o.messageId)).toEqual([next]);
  });
});
