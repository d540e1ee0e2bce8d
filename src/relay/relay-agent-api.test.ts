// The agent-facing relay beyond sending text: media, assignment, case links, log hygiene and its database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DatabaseTooNewError } from '../shared/migrations';
import { RELAY_MIGRATIONS, openRelayDatabase } from './store/relay-db';
import { connectWebSocket, uuidv7, type WsConnection } from './test-support/docs-client';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

const CUSTOMER = '972541234567';
let relay: TestRelay | undefined;
let ws: WsConnection | undefined;
afterEach(async () => {
  ws?.dispose();
  await relay?.stop();
  relay = undefined;
});

async function setup(): Promise<{ t: TestRelay; conn: WsConnection; conversationId: string }> {
  relay = await startTestRelay({
    sandbox: true,
    env: { RELAY_RETRY_BASE_MS: '50' },
    overrides: { sandboxTiming: { statusDelayMs: 5, replyDelayMs: 20, webhookRetryMs: 20 } },
  });
  const res = await fetch(`${relay.relay.url}/sandbox/inbound`, {
    method: 'POST',
    body: JSON.stringify({ from: CUSTOMER, name: 'Dana Levi', text: 'Please send the form. My account is 12345678.' }),
  });
  expect(res.status).toBe(200);
  ws = connectWebSocket({ baseUrl: relay.relay.url, token: relay.token, device: 'desk-1' });
  await ws.hello();
  const page = await ws.call<{ conversations: { id: string }[] }>('conversations.list', {});
  return { t: relay, conn: ws, conversationId: page.conversations[0]!.id };
}

const upload = (t: TestRelay, body: Buffer, type: string, name = 'form.pdf', token = t.token) =>
  fetch(`${t.relay.url}/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type, 'x-file-name': encodeURIComponent(name) },
    body,
  });

describe('relay agent API', () => {
  it('sends a document: upload over HTTP, send by media id, and fake WhatsApp receives it', async () => {
    const { t, conn, conversationId } = await setup();
    const pdf = Buffer.from('%PDF-1.4 branch form');
    const uploaded = await upload(t, pdf, 'application/pdf', 'טופס הלוואה.pdf');
    expect(uploaded.status).toBe(201);
    const { mediaId, size } = z.looseObject({ mediaId: z.string(), size: z.number() }).parse(await uploaded.json());
    expect(size).toBe(pdf.length);

    const sent = await conn.call<{ message: { id: string; content: { type: string; fileName?: string } } }>('messages.send', {
      clientMessageId: uuidv7(),
      conversationId,
      content: { type: 'document', mediaId, caption: 'Your form' },
    });
    expect(sent.message.content).toMatchObject({ type: 'document', fileName: 'טופס הלוואה.pdf' });
    const delivered = await waitFor('fake WhatsApp to accept the document', async () => {
      const res = await fetch(`${t.relay.url}/sandbox/outbound?to=${CUSTOMER}`);
      const { messages } = z.looseObject({ messages: z.array(z.looseObject({ type: z.string(), mediaId: z.string().optional() })) }).parse(await res.json());
      return messages.find((m) => m.type === 'document');
    });
    expect(delivered.mediaId).toBeDefined();
    // The agent can fetch what it uploaded, with the same token.
    const back = await fetch(`${t.relay.url}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(Buffer.from(await back.arrayBuffer())).toEqual(pdf);
  });

  it.each([
    ['a type WhatsApp does not take', Buffer.from('MZ'), 'application/x-msdownload', 415, 'media_type_unsupported'],
    ['an image over 5 MB', Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png', 413, 'media_too_large'],
  ])('refuses %s', async (_what, body, type, status, code) => {
    const { t } = await setup();
    const res = await upload(t, body, type);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it('refuses media without a valid token, and ids that are not ours', async () => {
    const { t } = await setup();
    expect((await upload(t, Buffer.from('x'), 'application/pdf', 'f.pdf', 'blt_forged')).status).toBe(401);
    for (const id of ['..%2F..%2Frelay.db', 'not-an-id', uuidv7()]) {
      const res = await fetch(`${t.relay.url}/v1/media/${id}`, { headers: { authorization: `Bearer ${t.token}` } });
      expect(res.status).toBe(404);
    }
  });

  it('assigns, releases and links a case, each announced to every device', async () => {
    const { conn, conversationId } = await setup();
    const assigned = await conn.call<{ conversation: { assignedAgentId: string | null } }>('conversations.assign', { conversationId, agentId: 'ana' });
    expect(assigned.conversation.assignedAgentId).toBe('ana');
    const linked = await conn.call<{ conversation: { caseId: string | null } }>('conversations.linkCase', { conversationId, caseId: 'CASE-2026-0042' });
    expect(linked.conversation.caseId).toBe('CASE-2026-0042');
    const released = await conn.call<{ conversation: { assignedAgentId: string | null } }>('conversations.assign', { conversationId, agentId: null });
    expect(released.conversation.assignedAgentId).toBeNull();
    const unknown = await conn.request('conversations.assign', { conversationId, agentId: 'nobody' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await waitFor('the case link event', () =>
      conn.envelopes.some((e) => e.event.kind === 'conversation.upserted' && e.event.conversation.caseId === 'CASE-2026-0042') ? true : undefined,
    );
  });

  it('marks read on WhatsApp only when asked', async () => {
    const { t, conn, conversationId } = await setup();
    const history = await conn.call<{ messages: { id: string; direction: string }[] }>('messages.history', { conversationId });
    const last = history.messages.find((m) => m.direction === 'in')!;
    expect(t.relay.sandbox!.readReceipts()).toEqual([]);
    await conn.call('messages.markRead', { conversationId, upToMessageId: last.id });
    await waitFor('the read receipt at fake WhatsApp', () => (t.relay.sandbox!.readReceipts().length === 1 ? true : undefined));
  });

  it('writes no token, message text or phone number to its log through a whole round trip', async () => {
    const { t, conn, conversationId } = await setup();
    await conn.call('messages.send', {
      clientMessageId: uuidv7(),
      conversationId,
      content: { type: 'text', body: 'Your PIN reminder: 4321 is not to be shared?' },
    });
    await waitFor('the customer reply', () =>
      conn.envelopes.some((e) => e.event.kind === 'message.created' && e.event.message.direction === 'in') ? true : undefined,
    );
    const log = t.logLines.join('');
    expect(log.length).toBeGreaterThan(1_000);
    for (const secret of [
      t.token,
      t.config.whatsapp.accessToken,
      'test-app-secret',
      'Please send the form',
      'PIN reminder',
      '12345678',
      CUSTOMER,
      'Dana Levi',
      "I'll check",
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('relay database', () => {
  it.each(RELAY_MIGRATIONS.map((m) => [m.version, m.description] as const))('migration %i (%s) applies to the schema before it', (version) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-relay-mig-'));
    const db = new Database(path.join(dir, 'relay.db'));
    db.pragma('foreign_keys = OFF'); // as openRelayDatabase runs migrations (migration 2 rebuilds a table others refer to)
    for (const m of RELAY_MIGRATIONS.slice(0, version - 1)) m.up(db);
    db.pragma(`user_version = ${version - 1}`);
    db.close();
    const migrated = openRelayDatabase(dir);
    expect(migrated.pragma('user_version', { simple: true })).toBe(RELAY_MIGRATIONS.length);
    expect(migrated.pragma('synchronous', { simple: true })).toBe(2); // FULL: anything acknowledged survives power loss
    migrated.close();
  });

  it('refuses a database from a newer relay, untouched', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-relay-new-'));
    const db = new Database(path.join(dir, 'relay.db'));
    db.pragma('user_version = 42');
    db.close();
    expect(() => openRelayDatabase(dir)).toThrow(DatabaseTooNewError);
  });
});
