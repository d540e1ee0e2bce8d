// The encrypted cache on real SQLite files: a cache an older version wrote in the clear is encrypted in place with
// nothing lost, its bytes hold no customer data afterwards, and a wrong or lost key is handled as the user needs.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheKeyMismatchError } from './cache-cipher';
import type { CacheKey } from './cache-key';
import { mediaDirOf } from './local-db';
import { openLocalStore, type LocalStore } from './local-store';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'console-v1.db');
const T0 = Date.UTC(2026, 10, 20, 9);
/** What the v1 fixture holds about customers (fixtures/README.md), and must not be readable on disk afterwards. */
const V1_SECRETS = ['Dana Levi', 'Yossi Cohen', '972541234567', 'Yes, from 8:30 until', 'Here it is, Dana', '%PDF-1.4 v1', 'JFIF v1 bytes'];

const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

const keyOf = (created = false): CacheKey => ({ key: randomBytes(32), created, storage: 'file' });

function v1Cache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-crypt-'));
  copyFileSync(FIXTURE, path.join(dir, 'console.db'));
  return dir;
}

function openWith(dir: string, cacheKey: CacheKey, log = vi.fn()): LocalStore {
  const store = openLocalStore(dir, { cacheKey, log });
  open.push(store);
  return store;
}

/** Every file under the folder, as raw bytes. */
function rawFiles(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

function leaks(dir: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const { file, bytes } of rawFiles(dir)) {
    for (const secret of secrets) if (bytes.includes(Buffer.from(secret))) found.push(`${path.basename(file)}: ${secret}`);
  }
  return found;
}

function readsWithoutKey(file: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

function expectV1Intact(store: LocalStore): void {
  expect(store.conversation('c-dana')).toMatchObject({ customer: { name: 'Dana Levi', waId: '972541234567' } });
  expect(store.outbox.queuedCount()).toBe(3);
  expect(store.outbox.due(T0 + 1_000_000, 10)[1]!.request).toMatchObject({ conversationId: 'c-yossi', content: { type: 'image', caption: 'your card' } });
  expect(store.session.draft('c-yossi')).toBe('Yes, from 8:30 until');
  expect(store.media.get('media-in-1')?.bytes.toString()).toBe('%PDF-1.4 v1');
  expect(store.media.get('019ab000-0000-7000-8000-0000000000f1')?.bytes.toString()).toBe('JFIF v1 bytes');
}

describe('the encrypted cache', () => {
  it('encrypts a cache from the previous version in place: conversations, outbox, draft and files intact, nothing readable on disk', () => {
    const dir = v1Cache();
    expect(leaks(dir, ['Dana Levi'])).not.toEqual([]); // the fixture really is in the clear
    const cacheKey = keyOf(true);
    const log = vi.fn();
    expectV1Intact(openWith(dir, cacheKey, log));
    expect(log).toHaveBeenCalledWith('cache.encrypted', { from: 'plaintext' });
    open.pop()!.close();

    expect(readsWithoutKey(path.join(dir, 'console.db'))).toBe(false);
    expect(leaks(dir, V1_SECRETS)).toEqual([]);
    expect(existsSync(path.join(dir, 'console.db.encrypting'))).toBe(false);
    // The next start (the key is no longer new) reads it all back.
    expectV1Intact(openWith(dir, { ...cacheKey, created: false }));
  });

  it('migrates a schema-4 cache the current code wrote in the clear, with queued work, a draft and an uncheckpointed WAL', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-crypt4-'));
    const plain = openLocalStore(dir);
    plain.db.prepare("UPDATE session SET agent_id = 'ana', agent_name = 'Ana Cohen' WHERE id = 1").run();
    plain.db
      .prepare(
        `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, last_inbound_at, last_message_at, created_at, updated_at)
         VALUES ('c-noa', '972501112223', 'Noa Friedman', 'ana', ?, ?, ?, ?)`,
      )
      .run(T0, T0, T0, T0);
    plain.session.saveDraft('c-noa', 'IBAN IL620108000000099999999', T0);
    plain.outbox.queue({
      id: 'm-queued',
      request: { conversationId: 'c-noa', content: { type: 'document', mediaId: 'f-form', fileName: 'form.pdf' } },
      content: { type: 'document', mediaId: 'f-form', mimeType: 'application/pdf', fileName: 'form.pdf', size: 22 },
      agentId: 'ana',
      now: T0,
      file: { mimeType: 'application/pdf', fileName: 'form.pdf', bytes: Buffer.from('%PDF salary statement') },
    });
    // Still only in the WAL when the process dies: the migration must copy what is only there.
    plain.db.pragma('wal_autocheckpoint = 0');
    plain.session.saveDraft('c-noa', 'IBAN IL620108000000099999999 and card 4580 1111 2222 3333', T0 + 1);
    const crashed = crashCopyOf(dir);
    plain.close();

    const store = openWith(crashed, keyOf(true));
    expect(store.conversation('c-noa')).toMatchObject({ customer: { name: 'Noa Friedman' } });
    expect(store.session.draft('c-noa')).toBe('IBAN IL620108000000099999999 and card 4580 1111 2222 3333');
    expect(store.outbox.due(T0 + 1, 10, { id: 'ana', key: null }).map((o) => o.messageId)).toEqual(['m-queued']);
    expect(store.media.get('f-form')?.bytes.toString()).toBe('%PDF salary statement');
    store.close();
    expect(leaks(crashed, ['Noa Friedman', '972501112223', 'IL620108000000099999999', '4580 1111 2222 3333', '%PDF salary statement'])).toEqual([]);
  });

  it('opens an encrypted cache a crash left with writes only in its WAL, with those writes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-cryptwal-'));
    const cacheKey = keyOf(true);
    const live = openWith(dir, cacheKey);
    live.db.pragma('wal_autocheckpoint = 0');
    live.session.saveDraft('c-any', 'typed just before the power cut', T0);
    const crashed = crashCopyOf(dir);
    live.close();
    const store = openWith(crashed, { ...cacheKey, created: false });
    expect(store.session.draft('c-any')).toBe('typed just before the power cut');
    store.close();
    expect(leaks(crashed, ['typed just before the power cut'])).toEqual([]);
  });

  it('recovers from a crash in the middle of a migration: the half-written copy is dropped, the original migrated again', () => {
    const dir = v1Cache();
    writeFileSync(path.join(dir, 'console.db.encrypting'), 'half of an encrypted copy');
    expectV1Intact(openWith(dir, keyOf(true)));
    expect(existsSync(path.join(dir, 'console.db.encrypting'))).toBe(false);
  });

  it('refuses a cache encrypted with another key when the key is not new (a wrong BRANCHLINE_CACHE_KEY): the queue may be in it', () => {
    const dir = v1Cache();
    openWith(dir, keyOf(true));
    open.pop()!.close();
    const before = statSync(path.join(dir, 'console.db')).size;
    expect(() => openLocalStore(dir, { cacheKey: keyOf(false) })).toThrow(CacheKeyMismatchError);
    expect(statSync(path.join(dir, 'console.db')).size).toBe(before);
  });

  it('discards a cache whose key is gone for good (memory-only key, removed key file) and starts empty', () => {
    const dir = v1Cache();
    openWith(dir, keyOf(true));
    open.pop()!.close();
    const log = vi.fn();
    const store = openWith(dir, keyOf(true), log);
    expect(store.conversation('c-dana')).toBeNull();
    expect(log).toHaveBeenCalledWith('cache.discarded', expect.objectContaining({ keyStorage: 'file' }));
    // The old key's media files have no row any more and are swept.
    expect(readdirSync(mediaDirOf(dir))).toEqual([]);
  });

  it('uses SQLCipher 4 with the raw key, and overwrites deleted rows (secure_delete) so a pruned message is not left in free pages', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-crypt-'));
    const cacheKey = keyOf(true);
    const store = openWith(dir, cacheKey);
    expect(store.db.pragma('cipher', { simple: true })).toBe('sqlcipher');
    expect(Number(store.db.pragma('legacy', { simple: true }))).toBe(4);
    expect(store.db.pragma('secure_delete', { simple: true })).toBe(1);
    store.close();
    // The key is used as the key, not as a passphrase: the same hex digits as a passphrase do not open the file.
    const asPassphrase = new Database(path.join(dir, 'console.db'));
    asPassphrase.pragma("cipher = 'sqlcipher'");
    asPassphrase.pragma('legacy = 4');
    asPassphrase.pragma(`key = '${cacheKey.key.toString('hex')}'`);
    expect(() => asPassphrase.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow(/not a database/);
    asPassphrase.close();
  });
});

/** The cache's files as a crash would leave them (main file and WAL, no clean close), in a folder of their own. */
function crashCopyOf(dir: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'branchline-crash-'));
  expect(existsSync(path.join(dir, 'console.db-wal'))).toBe(true);
  for (const name of ['console.db', 'console.db-wal']) copyFileSync(path.join(dir, name), path.join(copy, name));
  const media = mediaDirOf(dir);
  mkdirSync(mediaDirOf(copy));
  for (const name of readdirSync(media)) copyFileSync(path.join(media, name), path.join(mediaDirOf(copy), name));
  return copy;
}
