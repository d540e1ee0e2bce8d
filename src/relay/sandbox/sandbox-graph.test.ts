// The fake Graph API over real HTTP: sends and the ledger, auth, validation, mark-read, media, templates, limits.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LedgerEntry } from './ledger';
import {
  acceptedWamid,
  authHeaders,
  startSandboxFixture,
  TEST_PHONE_NUMBER_ID,
  TEST_WABA_ID,
  type SandboxFixture,
  type SandboxServer,
} from './sandbox-test-harness';

const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const CUSTOMER = '972541234567';

let running: SandboxFixture;
let server: SandboxServer;

beforeEach(async () => {
  running = await startSandboxFixture();
  ({ server } = running);
});

afterEach(() => running.close());

const sendText = (to: string, body: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body }, ...extra }),
  });

async function outbound(to: string): Promise<LedgerEntry[]> {
  const res = await fetch(`${server.baseUrl}/sandbox/outbound?to=${to}`);
  expect(res.status).toBe(200);
  return z.looseObject({ messages: z.array(LedgerEntry.loose()) }).parse(await res.json()).messages;
}

async function upload(bytes: Buffer, type: string, fileName: string): Promise<string> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', type);
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), fileName);
  const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/media`, {
    method: 'POST',
    headers: { authorization: authHeaders().authorization! },
    body: form,
  });
  expect(res.status).toBe(200);
  const { id } = z.looseObject({ id: z.string() }).parse(await res.json());
  expect(id).toMatch(/^\d{16}$/);
  return id;
}

describe('POST /{phone-number-id}/messages', () => {
  it('accepts the fixture request as-is and answers in the shape of graph-send-response.json', async () => {
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: fixture('graph-send-request-text.json'),
    });
    expect(res.status).toBe(200);
    const SendAnswer = z.looseObject({ messaging_product: z.string(), contacts: z.array(z.unknown()), messages: z.array(z.looseObject({ id: z.string() })) });
    const body = SendAnswer.parse(await res.json());
    const expected = SendAnswer.parse(JSON.parse(fixture('graph-send-response.json')));
    expect(Object.keys(body).sort()).toEqual(Object.keys(expected).sort());
    expect(body.contacts).toEqual(expected.contacts);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]!.id).toMatch(/^wamid\.[A-Za-z0-9_-]+$/);
  });

  it('records every accepted send in arrival order, duplicates included, per recipient', async () => {
    const wamids: string[] = [];
    for (const text of ['one', 'two', 'two', 'three']) {
      const res = await sendText(CUSTOMER, text, { biz_opaque_callback_data: `msg-${text}` });
      wamids.push(await acceptedWamid(res));
    }
    await sendText('972500000001', 'someone else');
    const ledger = await outbound(CUSTOMER);
    expect(ledger.map((e) => e.text)).toEqual(['one', 'two', 'two', 'three']);
    expect(ledger.map((e) => e.wamid)).toEqual(wamids);
    expect(ledger.map((e) => e.bizOpaque)).toEqual(['msg-one', 'msg-two', 'msg-two', 'msg-three']);
    expect(ledger.every((e) => e.to === CUSTOMER && e.type === 'text' && typeof e.acceptedAt === 'number')).toBe(true);
    expect(server.sandbox.outbound(CUSTOMER)).toEqual(ledger);
  });

  it('accepts the template fixture and records name, language and parameters', async () => {
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: fixture('graph-send-request-template.json'),
    });
    expect(res.status).toBe(200);
    const [entry] = await outbound(CUSTOMER);
    expect(entry).toMatchObject({
      type: 'template',
      template: { name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl St. branch'] },
      bizOpaque: null,
    });
  });

  it('records a quoted wamid', async () => {
    await sendText(CUSTOMER, 'about that', { context: { message_id: 'wamid.QUOTED' } });
    expect((await outbound(CUSTOMER))[0]).toMatchObject({ replyToWamid: 'wamid.QUOTED' });
  });

  it.each([
    ['no header', undefined],
    ['a wrong token', 'Bearer not-the-token'],
    ['another scheme', 'Basic dGVzdA=='],
  ])('refuses %s with 401 and Graph code 190, recording nothing', async (_label, authorization) => {
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      body: fixture('graph-send-request-text.json'),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 190, type: 'OAuthException' } });
    expect(await outbound(CUSTOMER)).toEqual([]);
  });

  it.each([
    ['a wrong messaging_product', { messaging_product: 'sms', to: CUSTOMER, type: 'text', text: { body: 'x' } }],
    ['a short number', { messaging_product: 'whatsapp', to: '12345', type: 'text', text: { body: 'x' } }],
    ['an empty body', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: '' } }],
    ['a 4097-character body', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'a'.repeat(4097) } }],
    ['an image not uploaded here', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: '1234567890123456' } }],
    ['a template without language', { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'branch_follow_up' } }],
  ])('refuses %s with 400 and Graph code 100', async (_label, body) => {
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, { method: 'POST', headers: authHeaders(), body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const { error } = z.looseObject({ error: z.looseObject({ code: z.number(), message: z.string() }) }).parse(await res.json());
    expect(error.code).toBe(100);
    expect(error.message).toMatch(/^\(#100\) /);
    expect(await outbound(CUSTOMER)).toEqual([]);
  });

  it('answers an unknown phone number id like Meta (code 100, subcode 33)', async () => {
    const res = await fetch(`${server.graphUrl}/999999/messages`, { method: 'POST', headers: authHeaders(), body: fixture('graph-send-request-text.json') });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 100, error_subcode: 33 } });
  });

  it('refuses bad JSON with 400 and an over-1-MiB body with 413', async () => {
    const bad = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, { method: 'POST', headers: authHeaders(), body: '{"messaging_product":' });
    expect(bad.status).toBe(400);
    const big = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'x'.repeat(1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
    expect(await outbound(CUSTOMER)).toEqual([]);
  });
});

describe('mark-read', () => {
  it('answers {success:true}, records the wamid and sends nothing to the ledger', async () => {
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN-1' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    expect(server.sandbox.readReceipts().map((r) => r.wamid)).toEqual(['wamid.IN-1']);
    expect(await outbound(CUSTOMER)).toEqual([]);
  });
});

describe('media', () => {
  it('uploads, describes with an absolute URL, serves the bytes with the bearer, and can be sent', async () => {
    const bytes = Buffer.from('%PDF-1.4 sandbox test document\n');
    const id = await upload(bytes, 'application/pdf', 'statement.pdf');

    const info = await fetch(`${server.graphUrl}/${id}`, { headers: authHeaders() });
    expect(info.status).toBe(200);
    const described = z
      .object({ messaging_product: z.string(), url: z.string(), mime_type: z.string(), sha256: z.string(), file_size: z.number(), id: z.string() })
      .parse(await info.json());
    const { createHash } = await import('node:crypto');
    expect(described).toEqual({
      messaging_product: 'whatsapp',
      url: `${server.baseUrl}/sandbox/graph/media-bytes/${id}`,
      mime_type: 'application/pdf',
      sha256: createHash('sha256').update(bytes).digest('base64'),
      file_size: bytes.length,
      id,
    });

    expect((await fetch(described.url)).status).toBe(401);
    const download = await fetch(described.url, { headers: authHeaders() });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    const send = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'document', document: { id, filename: 'statement.pdf', caption: 'March' } }),
    });
    expect(send.status).toBe(200);
    expect((await outbound(CUSTOMER))[0]).toMatchObject({ type: 'document', mediaId: id, fileName: 'statement.pdf', caption: 'March' });
  });

  it('refuses an upload declared over 100 MiB with 413 before reading it', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/media`, {
        method: 'POST',
        headers: {
          authorization: authHeaders().authorization!,
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': String(101 * 1024 * 1024),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(status).toBe(413);
  });

  it('answers an unknown media id like Meta and refuses uploads without a file', async () => {
    const info = await fetch(`${server.graphUrl}/1111111111111111`, { headers: authHeaders() });
    expect(info.status).toBe(400);
    expect(await info.json()).toMatchObject({ error: { code: 100 } });

    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/jpeg');
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/media`, {
      method: 'POST',
      headers: { authorization: authHeaders().authorization! },
      body: form,
    });
    expect(res.status).toBe(400);
  });

  it('requires the bearer for uploads and media info', async () => {
    expect((await fetch(`${server.graphUrl}/1111111111111111`)).status).toBe(401);
    const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/media`, { method: 'POST', body: new FormData() });
    expect(res.status).toBe(401);
  });
});

describe('GET /{waba-id}/message_templates', () => {
  it("lists three approved templates in Meta's shape, branch_follow_up with two body parameters", async () => {
    const res = await fetch(`${server.graphUrl}/${TEST_WABA_ID}/message_templates`, { headers: authHeaders() });
    expect(res.status).toBe(200);
    const body = z
      .object({
        data: z.array(
          z.looseObject({
            name: z.string(),
            language: z.string(),
            status: z.string(),
            category: z.string(),
            components: z.array(z.looseObject({ type: z.string(), text: z.string() })),
          }),
        ),
        paging: z.looseObject({ cursors: z.record(z.string(), z.unknown()) }),
      })
      .parse(await res.json());
    expect(body.paging).toEqual({ cursors: {} });
    expect(body.data.map((t) => t.name)).toEqual(['branch_follow_up', 'appointment_reminder', 'document_request']);
    expect(body.data.every((t) => t.status === 'APPROVED' && t.components[0]?.type === 'BODY')).toBe(true);
    const followUp = body.data.find((t) => t.name === 'branch_follow_up')!;
    expect(followUp.language).toBe('en_US');
    expect(followUp.components[0]!.text).toContain('{{1}}');
    expect(followUp.components[0]!.text).toContain('{{2}}');
    expect(followUp.components[0]!.text).not.toContain('{{3}}');
  });

  it('requires the bearer and the right business account', async () => {
    expect((await fetch(`${server.graphUrl}/${TEST_WABA_ID}/message_templates`)).status).toBe(401);
    expect((await fetch(`${server.graphUrl}/42/message_templates`, { headers: authHeaders() })).status).toBe(400);
  });
});

describe('routing', () => {
  it('leaves non-sandbox paths to the relay and answers unknown sandbox paths with 404 JSON', async () => {
    expect(await (await fetch(`${server.baseUrl}/webhook`)).text()).toBe('not a sandbox route');
    const res = await fetch(`${server.baseUrl}/sandbox/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await fetch(`${server.graphUrl}/a/b/c`, { headers: authHeaders() })).status).toBe(404);
  });

  it('refuses /sandbox/outbound without a valid "to"', async () => {
    expect((await fetch(`${server.baseUrl}/sandbox/outbound`)).status).toBe(400);
  });
});
