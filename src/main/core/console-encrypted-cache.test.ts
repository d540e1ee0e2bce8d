// Issue 15's acceptance test for the desktop cache: a real console against a real sandbox relay on loopback stores a
// customer's message, name, number and a document; on disk none of it is readable, and with its key it all comes back.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import type { ConsoleMethod, MethodOutput } from '../../shared/contract';
import type { CacheKey } from './cache-key';
import { createConsole, type Console } from './create-console';
import { memoryTokenStore } from './session-service';

const CUSTOMER = { waId: '972509876543', name: 'Tzipora Planted-Name' };
const TEXT = 'My card PIN is 7391 and IBAN IL620108000000099999999';
const DOCUMENT = '%PDF-1.4 salary statement of Tzipora, net 18,450.55 ILS';
const DRAFT = 'Dear Tzipora, your loan offer number 55512 is';
const PLANTED = [CUSTOMER.waId, CUSTOMER.name, 'Tzipora', TEXT, 'IL620108000000099999999', DOCUMENT, 'salary statement', DRAFT];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function consoleOn(relay: TestRelay, dataDir: string, cacheKey: CacheKey): Console {
  const core = createConsole({
    dataDir,
    cacheKey,
    tokens: memoryTokenStore(relay.token),
    connection: { backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 5_000 } },
  });
  core.store.session.setRelayUrl(relay.relay.url);
  cleanups.push(() => core.stop());
  return core;
}

/** The service's answer, typed by the contract; fails the test on an error answer. */
async function call<M extends ConsoleMethod>(core: Console, method: M, input: unknown): Promise<MethodOutput<M>> {
  const result = await core.service.call(method, input);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<M>;
}

function everyFile(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the encrypted desktop cache, end to end', () => {
  it('keeps a real run’s customer data unreadable on disk, and reads it all back after a restart with its key', async () => {
    const relay = await startTestRelay({ sandbox: true, env: { RELAY_RETRY_BASE_MS: '50' } });
    cleanups.push(() => relay.stop());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-encrypted-'));
    const cacheKey: CacheKey = { key: randomBytes(32), created: true, storage: 'file' };

    const first = consoleOn(relay, dataDir, cacheKey);
    await first.start();
    const inbound = await fetch(`${relay.relay.url}/sandbox/inbound`, {
      method: 'POST',
      body: JSON.stringify({ from: CUSTOMER.waId, name: CUSTOMER.name, text: TEXT }),
    });
    expect(inbound.status).toBe(200);
    const conversationId = await waitFor(
      'the customer’s message in the cache',
      () => first.store.db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ?').get(CUSTOMER.waId)?.id,
      20_000,
    );
    const sent = await call(first, 'messages.sendFile', {
      conversationId,
      fileName: 'statement.pdf',
      mimeType: 'application/pdf',
      dataBase64: Buffer.from(DOCUMENT).toString('base64'),
    });
    await call(first, 'drafts.save', { conversationId, text: DRAFT });
    await waitFor('the document to reach the relay', () => (first.store.outbox.queuedCount() === 0 ? true : undefined), 20_000);
    await first.stop();
    cleanups.pop();

    const files = everyFile(dataDir);
    expect(files.map((f) => path.basename(f))).toContain('console.db');
    expect(files.some((f) => f.includes(`${path.sep}media${path.sep}`))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const planted of PLANTED) expect(bytes.includes(Buffer.from(planted)), `${path.relative(dataDir, file)} holds "${planted}"`).toBe(false);
    }
    const plain = new Database(path.join(dataDir, 'console.db'), { readonly: true });
    expect(() => plain.prepare('SELECT * FROM conversations').all()).toThrow(/not a database/);
    plain.close();

    // The relay is gone: whatever the restarted console shows comes from its own cache.
    await relay.stop();
    cleanups.pop();
    const second = consoleOn(relay, dataDir, { ...cacheKey, created: false });
    const list = await call(second, 'conversations.list', { filter: 'all', limit: 10, offset: 0 });
    expect(list.items.map((s) => [s.conversation.customer.name, s.conversation.customer.waId])).toEqual([[CUSTOMER.name, CUSTOMER.waId]]);
    const { messages } = await call(second, 'messages.page', { conversationId, limit: 10 });
    expect(messages.map((m) => (m.content.type === 'text' ? m.content.body : m.content.type))).toEqual(['document', TEXT]);
    const document = messages.find((m) => m.id === sent.message.id || m.content.type === 'document')!;
    const mediaId = document.content.type === 'document' ? document.content.mediaId : '';
    const media = await call(second, 'media.get', { mediaId });
    expect(Buffer.from(media.dataBase64, 'base64').toString()).toBe(DOCUMENT);
    expect(await call(second, 'drafts.get', { conversationId })).toEqual({ text: DRAFT });
  });
});
