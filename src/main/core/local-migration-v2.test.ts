// Schema 2 opened on a real cache written by Branchline 0.1 (schema 1): everything the agent had is still there.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { mediaDirOf } from './local-db';
import { localMigrations } from './local-migrations';
import { LocalQueries } from './local-queries';
import { openLocalStore, type LocalStore } from './local-store';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'console-v1.db');
const T0 = Date.UTC(2026, 10, 20, 9);
const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

/** A copy of the fixture (see fixtures/README.md for what it holds and how it was written). */
function v1Cache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-v1-'));
  copyFileSync(FIXTURE, path.join(dir, 'console.db'));
  return dir;
}

function openMigrated(dir: string): { store: LocalStore; queries: LocalQueries } {
  const store = openLocalStore(dir);
  open.push(store);
  return { store, queries: new LocalQueries(store.db) };
}

describe('migrating a schema-1 cache to schema 2', () => {
  it('keeps the session: relay, device, agent and the sync cursor', () => {
    const { store } = openMigrated(v1Cache());
    expect(store.db.pragma('user_version', { simple: true })).toBe(localMigrations('').length); // schema 2, and every step since
    expect(store.session.get()).toEqual({
      deviceId: '019ab000-0000-7000-8000-00000000dev1',
      relayUrl: 'wss://relay.bank.example',
      lastRelayUrl: 'wss://relay.bank.example',
      // Schema 4 adds the agent's role and teams (unknown until a hello: 'agent', none) and the token key (none yet).
      agent: { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [] },
      agentKey: null,
      cursor: 48,
    });
    expect(store.session.userSettings()).toEqual({ theme: 'dark', sounds: false });
    expect(store.session.templates()).toEqual([
      { name: 'branch_hours', language: 'en', category: 'UTILITY', body: 'The {{1}} branch is open 8:30-15:00.', parameterCount: 1 },
    ]);
  });

  it('keeps every conversation and message, with statuses, failures, case links and read pointers', () => {
    const { store, queries } = openMigrated(v1Cache());
    expect(store.conversation('c-dana')).toMatchObject({
      customer: { waId: '972541234567', name: 'Dana Levi' },
      assignedAgentId: 'ana',
      caseId: 'CASE-1001',
      readUpTo: T0,
    });
    const dana = queries.messages('c-dana', 50).messages;
    expect(dana.map((m) => m.id)).toEqual(['019ab000-0000-7000-8000-000000000001', 'm-3', 'm-2', 'm-1']);
    expect(store.message('m-2')).toMatchObject({ status: 'read', senderAgentId: 'ana', content: { type: 'text', body: 'Here it is, Dana' } });
    expect(store.message('m-5')).toMatchObject({ status: 'failed', failure: { code: 'undeliverable', message: 'not on WhatsApp', metaCode: 131026 } });
    expect(queries.listConversations('unread', 'ana', 50, 0).items.map((s) => s.conversation.id)).toContain('c-yossi');
  });

  it('keeps the outbox in order, the queued file and its pending upload, and the draft', () => {
    const { store } = openMigrated(v1Cache());
    expect(store.outbox.queuedCount()).toBe(3);
    const due = store.outbox.due(T0 + 1_000_000, 10);
    expect(due.map((o) => o.messageId)).toEqual([
      '019ab000-0000-7000-8000-000000000001',
      '019ab000-0000-7000-8000-000000000002',
      '019ab000-0000-7000-8000-000000000003',
    ]);
    expect(due[1]!.request).toEqual({
      conversationId: 'c-yossi',
      content: { type: 'image', mediaId: '019ab000-0000-7000-8000-0000000000f1', caption: 'your card' },
    });
    expect(store.media.uploadOf('019ab000-0000-7000-8000-0000000000f1')).toBeNull(); // queued, not uploaded yet
    expect(store.media.uploadOf('019ab000-0000-7000-8000-0000000000f0')).toBeUndefined(); // v1 kept it forever; its message left long ago
    expect(store.media.get('019ab000-0000-7000-8000-0000000000f1')?.bytes.toString()).toBe('JFIF v1 bytes');
    expect(store.session.draft('c-yossi')).toBe('Yes, from 8:30 until');
  });

  it('gives the conversation started by WhatsApp id an opaque id and a flag instead of the pending: name', () => {
    const { store, queries } = openMigrated(v1Cache());
    const placeholder = store.message('019ab000-0000-7000-8000-000000000003')!;
    expect(placeholder.conversationId.startsWith('pending:')).toBe(false);
    expect(store.outbox.isLocalOnly(placeholder.conversationId)).toBe(true);
    expect(store.outbox.due(T0 + 1_000_000, 10)[2]!.request).toEqual({ waId: '447700900123', content: { type: 'text', body: 'Hello from the bank' } });
    const ids = queries.listConversations('all', null, 50, 0).items.map((s) => s.conversation.id);
    expect(ids.some((id) => id.startsWith('pending:'))).toBe(false);
  });

  it('moves media bytes out of the database into files, and search still finds names, numbers and words', () => {
    const dir = v1Cache();
    const { store, queries } = openMigrated(dir);
    expect(store.media.get('media-in-1')).toEqual({ mimeType: 'application/pdf', fileName: 'statement-march.pdf', bytes: Buffer.from('%PDF-1.4 v1') });
    expect(readdirSync(mediaDirOf(dir))).toHaveLength(2);
    const tables = store.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => r.name);
    expect(tables).not.toContain('media_cache');
    expect(tables).not.toContain('meta');
    expect(
      queries
        .search('statement', 10)
        .map((h) => h.messageId)
        .sort(),
    ).toEqual(['m-1', 'm-3']);
    expect(queries.search('yossi', 10)).toMatchObject([{ conversationId: 'c-yossi', messageId: null }]);
    expect(queries.search('447700900123', 10)).toHaveLength(1);
  });

  it('leaves a schema-1 cache it cannot read as it was, and says which table', () => {
    const dir = v1Cache();
    const db = new Database(path.join(dir, 'console.db'));
    db.prepare("UPDATE messages SET data = '{\"id\": 7}' WHERE id = 'm-4'").run();
    db.close();
    expect(() => openLocalStore(dir)).toThrow();
    const after = new Database(path.join(dir, 'console.db'));
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    expect(after.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 8 });
    after.close();
  });
});
