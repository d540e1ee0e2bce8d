// Regression: a send or draft the console service refuses leaves nothing behind in its database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../shared/clock';
import { createConsole, type Console } from './create-console';
import type { ConnectionFactory } from './service-types';

const NOW = Date.UTC(2026, 10, 24, 10);
const consoles: Console[] = [];
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
});

async function setup() {
  const conversation = (id: string, waId: string, lastInboundAt: number | null) => ({
    id,
    customer: { waId, name: null },
    assignedAgentId: null,
    lastInboundAt,
    caseId: null,
    readUpTo: null,
    lastMessageAt: NOW,
    createdAt: NOW,
    updatedAt: NOW,
  });
  const connect: ConnectionFactory = () => ({
    start: () => {},
    stop: async () => {},
    retryNow: () => {},
    snapshot: () => ({ status: 'stopped', transport: null, nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null }),
    request: async () => ({ ok: false, error: { code: 'offline', message: 'no', retryable: true } }),
  });
  const none = { ok: false as const, error: { code: 'unavailable' as const, message: 'no', retryable: true } };
  const core = createConsole({
    dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-refusals-')),
    connect,
    clock: createFakeClock(NOW, 0),
    media: { upload: async () => none, download: async () => none },
  });
  const { service, store } = core;
  store.applySnapshot([conversation('open', '972500000001', NOW - 60_000), conversation('closed', '972500000002', NOW - 2 * 86_400_000)], []);
  consoles.push(core);
  await core.start();
  const leftovers = () => ({
    media: store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM media_files').get()!.n,
    uploads: store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM uploads').get()!.n,
    drafts: store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM drafts').get()!.n,
    queued: store.outbox.queuedCount(),
  });
  return { service, leftovers };
}

const pdf = { fileName: 'statement.pdf', mimeType: 'application/pdf', dataBase64: Buffer.from('%PDF-1.4 statement').toString('base64') };

// Before the fix a file for an unknown conversation (or outside the 24-hour window) was cached — bytes and an upload
// marker — and then refused, and a draft for a conversation that does not exist (say "..") was stored.
describe('refused sends and drafts leave nothing behind', () => {
  it('a file for a conversation that is not here', async () => {
    const { service, leftovers } = await setup();
    for (const conversationId of ['no-such-conversation', '..']) {
      expect(await service.call('messages.sendFile', { conversationId, ...pdf })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect(leftovers()).toEqual({ media: 0, uploads: 0, drafts: 0, queued: 0 });
  });

  it('a file outside the 24-hour window', async () => {
    const { service, leftovers } = await setup();
    expect(await service.call('messages.sendFile', { conversationId: 'closed', ...pdf })).toMatchObject({ ok: false, error: { code: 'template_required' } });
    expect(leftovers()).toEqual({ media: 0, uploads: 0, drafts: 0, queued: 0 });
  });

  it('a draft for a conversation that is not here', async () => {
    const { service, leftovers } = await setup();
    for (const conversationId of ['..', '.', 'no-such-conversation']) {
      expect(await service.call('drafts.save', { conversationId, text: 'half a thought' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect(leftovers()).toEqual({ media: 0, uploads: 0, drafts: 0, queued: 0 });
  });

  it('still takes what is valid', async () => {
    const { service, leftovers } = await setup();
    expect(await service.call('messages.sendFile', { conversationId: 'open', ...pdf })).toMatchObject({ ok: true });
    expect(await service.call('drafts.save', { conversationId: 'closed', text: 'half a thought' })).toMatchObject({ ok: true });
    expect(leftovers()).toEqual({ media: 1, uploads: 1, drafts: 1, queued: 1 });
  });
});
