// Outbound content in WhatsApp's terms: a file is uploaded to WhatsApp once, however often its message is retried.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../shared/uuidv7';
import { DiskMediaFiles } from './media-files';
import { sendableContent, toProviderContent, type ContentDeps } from './outbound-content';
import { openSqliteRelayStore } from './store/relay-db';
import type { SqlRelayStore } from './store/sql-relay-store';

/** The business number the message will leave from (a second team's, not the relay's default). */
const OUR_NUMBER = '100000000000002';

let store: SqlRelayStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function withFile(upload: ContentDeps['provider']['uploadMedia']): Promise<{ deps: ContentDeps; mediaId: string; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-content-'));
  store = openSqliteRelayStore(dir).store;
  const files = new DiskMediaFiles(path.join(dir, 'media'));
  const mediaId = uuidv7();
  const { size, sha256 } = await files.writeStream(mediaId, Readable.from([Buffer.from('%PDF-1.7 statement')]), 1_000_000);
  await store.createUploadedMedia({ id: mediaId, mimeType: 'application/pdf', fileName: 'statement.pdf', size, sha256, uploadedBy: 'ana', now: 1 });
  return { deps: { store, media: files, provider: { uploadMedia: upload } }, mediaId, dir };
}

describe('outbound content', () => {
  it('uploads a file to WhatsApp once and reuses its id when the message is sent again', async () => {
    let uploads = 0;
    const uploadedFrom: string[] = [];
    const { deps, mediaId } = await withFile(async (_file, from) => {
      uploadedFrom.push(from);
      return { ok: true, value: `wa-media-${++uploads}` };
    });
    const content = { type: 'document' as const, mediaId, mimeType: 'application/pdf', fileName: 'statement.pdf', caption: 'your statement' };
    const first = await toProviderContent(content, OUR_NUMBER, deps);
    const again = await toProviderContent(content, OUR_NUMBER, deps);
    expect(uploads).toBe(1);
    expect(uploadedFrom).toEqual([OUR_NUMBER]);
    expect(first).toEqual({ ok: true, value: { type: 'document', waMediaId: 'wa-media-1', caption: 'your statement', fileName: 'statement.pdf' } });
    expect(again).toEqual(first);
  });

  it('passes on whether a failed upload may be retried', async () => {
    const { deps, mediaId } = await withFile(async () => ({ ok: false, error: { code: 'unavailable', retryable: true, message: 'Graph API unavailable' } }));
    const result = await toProviderContent({ type: 'image', mediaId, mimeType: 'image/jpeg' }, OUR_NUMBER, deps);
    expect(result).toEqual({ ok: false, error: { code: 'unavailable', retryable: true, message: 'Graph API unavailable' } });
  });

  it('fails for good a file that is gone from the relay', async () => {
    const { deps, mediaId, dir } = await withFile(async () => ({ ok: true, value: 'never' }));
    rmSync(path.join(dir, 'media', mediaId));
    const result = await toProviderContent({ type: 'image', mediaId, mimeType: 'image/jpeg' }, OUR_NUMBER, deps);
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found', retryable: false } });
  });

  it.each([
    [{ type: 'text' as const, body: 'hello' }, true],
    [{ type: 'template' as const, name: 'branch_follow_up', language: 'en_US', parameters: [] }, true],
    [{ type: 'location' as const, latitude: 32.08, longitude: 34.78 }, false],
    [{ type: 'reaction' as const, emoji: '👍', targetMessageId: null }, false],
  ])('a stored %o can be sent: %s', (content, ok) => {
    expect(sendableContent(content).ok).toBe(ok);
  });
});
