// Plays Graph on a loopback server to prove the Cloud API adapter's requests, outcome mapping, media checks and redaction.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCloudApiProvider } from './cloud-api';
import type { CloudApiOptions } from './cloud-api';
import type { ProviderSend } from './provider';

const JsonObject = z.record(z.string(), z.unknown());

const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
const TOKEN = 'EAAGtestTOKENdo-not-leak-7f3a';
const PHONE_NUMBER_ID = '106540352242922';
const CUSTOMER = '972541234567';
const TO_CUSTOMER = { kind: 'phone', waId: CUSTOMER } as const;

async function fixture(name: string): Promise<Record<string, unknown>> {
  return JsonObject.parse(JSON.parse(await readFile(new URL(name, FIXTURES), 'utf8')));
}

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}
type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

let server: Server;
let origin: string;
let handler: Handler = (_request, response) => reply(response, 500, {});
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(request);
      // No keep-alive: a socket closed by afterEach must not be reused by the next test's client.
      res.setHeader('connection', 'close');
      void Promise.resolve(handler(request, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  // Drops the held-open requests of the timeout tests, and keep-alive sockets between tests.
  server.closeAllConnections();
  seen.length = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function provider(overrides: Partial<CloudApiOptions> = {}) {
  return createCloudApiProvider({
    graphUrl: `${origin}/sandbox/graph`,
    accessToken: TOKEN,
    businessAccountId: 'WABA77',
    ...overrides,
  });
}

function textSend(body = 'Hello Dana, your March statement is attached in the next message.'): ProviderSend {
  return { from: PHONE_NUMBER_ID, to: TO_CUSTOMER, content: { type: 'text', body }, bizOpaque: 'out-0193-abc' };
}

function graphError(code: number, message = `(#${code}) Something`, details?: string) {
  return {
    error: {
      message,
      type: 'OAuthException',
      code,
      ...(details !== undefined && { error_data: { messaging_product: 'whatsapp', details } }),
      fbtrace_id: 'Abc',
    },
  };
}

function only(): Seen {
  expect(seen).toHaveLength(1);
  return seen[0] as Seen;
}

describe('sendMessage: requests', () => {
  it('posts a text exactly as the fixture, with the bearer token and our opaque id', async () => {
    const response = await fixture('graph-send-response.json');
    handler = (_req, res) => reply(res, 200, response);
    const outcome = await provider().sendMessage(textSend());

    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/sandbox/graph/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const { biz_opaque_callback_data: opaque, ...rest } = JsonObject.parse(JSON.parse(request.body.toString('utf8')));
    expect(rest).toEqual(await fixture('graph-send-request-text.json'));
    expect(opaque).toBe('out-0193-abc');

    const [message] = response.messages as [{ id: string }];
    expect(outcome).toEqual({ kind: 'accepted', wamid: message.id });
  });

  it('posts a template exactly as the fixture', async () => {
    handler = (_req, res) => reply(res, 200, { messages: [{ id: 'wamid.T' }] });
    await provider().sendMessage({
      from: PHONE_NUMBER_ID,
      to: TO_CUSTOMER,
      content: { type: 'template', name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl St. branch'] },
      bizOpaque: 'out-2',
    });
    const { biz_opaque_callback_data: opaque, ...rest } = JsonObject.parse(JSON.parse(only().body.toString('utf8')));
    expect(rest).toEqual(await fixture('graph-send-request-template.json'));
    expect(opaque).toBe('out-2');
  });

  it.each<[string, ProviderSend, Record<string, unknown>]>([
    [
      'a template without parameters has no components',
      { from: PHONE_NUMBER_ID, to: TO_CUSTOMER, content: { type: 'template', name: 'hello', language: 'he', parameters: [] }, bizOpaque: 'o' },
      { type: 'template', template: { name: 'hello', language: { code: 'he' } } },
    ],
    [
      'an image with a caption',
      { from: PHONE_NUMBER_ID, to: TO_CUSTOMER, content: { type: 'image', waMediaId: 'M1', caption: 'Your card' }, bizOpaque: 'o' },
      { type: 'image', image: { id: 'M1', caption: 'Your card' } },
    ],
    [
      'an image without a caption',
      { from: PHONE_NUMBER_ID, to: TO_CUSTOMER, content: { type: 'image', waMediaId: 'M1' }, bizOpaque: 'o' },
      { type: 'image', image: { id: 'M1' } },
    ],
    [
      'a document with its file name, quoting a message',
      {
        from: PHONE_NUMBER_ID,
        to: TO_CUSTOMER,
        content: { type: 'document', waMediaId: 'M2', fileName: 'statement.pdf', caption: 'March' },
        bizOpaque: 'o',
        replyToWamid: 'wamid.Q',
      },
      { type: 'document', document: { id: 'M2', filename: 'statement.pdf', caption: 'March' }, context: { message_id: 'wamid.Q' } },
    ],
    [
      'a text asking for a link preview',
      { from: PHONE_NUMBER_ID, to: TO_CUSTOMER, content: { type: 'text', body: 'See https://bank.example', previewUrl: true }, bizOpaque: 'o' },
      { type: 'text', text: { body: 'See https://bank.example', preview_url: true } },
    ],
  ])('%s', async (_name, send, expected) => {
    handler = (_req, res) => reply(res, 200, { messages: [{ id: 'wamid.X' }] });
    await provider().sendMessage(send);
    expect(JSON.parse(only().body.toString('utf8'))).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER,
      biz_opaque_callback_data: 'o',
      ...expected,
    });
  });

  it.each<[string, ProviderSend['to'], Record<string, unknown>]>([
    // Meta's business-scoped user ids page: a BSUID goes in `recipient` (were `to` there too, it would win).
    [
      'a customer known only by BSUID, in recipient',
      { kind: 'bsuid', bsuid: 'US.13491208655302741918' },
      { recipient_type: 'individual', recipient: 'US.13491208655302741918' },
    ],
    // Meta's group messaging page: the group id goes in `to`, with recipient_type group.
    [
      'a WhatsApp group, by its id in to',
      { kind: 'group', groupId: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD' },
      { recipient_type: 'group', to: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD' },
    ],
  ])('addresses %s', async (_name, to, expected) => {
    handler = (_req, res) => reply(res, 200, { messages: [{ id: 'wamid.X' }] });
    await provider().sendMessage({ from: PHONE_NUMBER_ID, to, content: { type: 'text', body: 'Your card is ready.' }, bizOpaque: 'o' });
    const body = JsonObject.parse(JSON.parse(only().body.toString('utf8')));
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      type: 'text',
      text: { body: 'Your card is ready.', preview_url: false },
      biz_opaque_callback_data: 'o',
      ...expected,
    });
  });

  it('accepts a graphUrl with a trailing slash and a custom API version', async () => {
    handler = (_req, res) => reply(res, 200, { messages: [{ id: 'wamid.X' }] });
    await provider({ graphUrl: `${origin}/`, apiVersion: 'v22.0' }).sendMessage(textSend());
    expect(only().path).toBe(`/v22.0/${PHONE_NUMBER_ID}/messages`);
  });
});

describe('sendMessage: outcomes', () => {
  it('maps graph-error-131047.json to template_required with Meta’s words', async () => {
    const body = await fixture('graph-error-131047.json');
    handler = (_req, res) => reply(res, 400, body);
    expect(await provider().sendMessage(textSend())).toEqual({
      kind: 'failed',
      failure: {
        code: 'template_required',
        message:
          '(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        metaCode: 131047,
      },
    });
  });

  it('maps graph-error-130429.json to a rate-limited retry that did not reach Meta', async () => {
    const body = await fixture('graph-error-130429.json');
    handler = (_req, res) => reply(res, 400, body);
    expect(await provider().sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'rate_limited', ambiguous: false, metaCode: 130429 });
  });

  it('honours Retry-After (seconds) on a 429', async () => {
    handler = (_req, res) => reply(res, 429, 'slow down', { 'retry-after': '7', 'content-type': 'text/plain' });
    expect(await provider().sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'rate_limited', ambiguous: false, retryAfterMs: 7_000 });
  });

  it.each<[string, number, unknown, Record<string, unknown>]>([
    ['code 4', 400, graphError(4), { kind: 'retry', reason: 'rate_limited', ambiguous: false, metaCode: 4 }],
    ['code 80007', 400, graphError(80007), { kind: 'retry', reason: 'rate_limited', ambiguous: false, metaCode: 80007 }],
    ['code 613', 400, graphError(613), { kind: 'retry', reason: 'rate_limited', ambiguous: false, metaCode: 613 }],
    ['code 131056', 400, graphError(131056), { kind: 'retry', reason: 'pair_rate_limited', ambiguous: false, metaCode: 131056 }],
    ['code 190', 400, graphError(190), { kind: 'retry', reason: 'auth', retryAfterMs: 60_000, ambiguous: false, metaCode: 190 }],
    ['HTTP 401 with no body', 401, '', { kind: 'retry', reason: 'auth', retryAfterMs: 60_000, ambiguous: false }],
    ['HTTP 500', 500, { error: { message: 'oops' } }, { kind: 'retry', reason: 'server_error', ambiguous: false }],
    ['HTTP 503 not JSON', 503, '<html>busy</html>', { kind: 'retry', reason: 'server_error', ambiguous: false }],
    ['code 1', 400, graphError(1), { kind: 'retry', reason: 'server_error', ambiguous: false, metaCode: 1 }],
    ['code 2', 400, graphError(2), { kind: 'retry', reason: 'server_error', ambiguous: false, metaCode: 2 }],
    ['code 131000', 500, graphError(131000), { kind: 'retry', reason: 'server_error', ambiguous: false, metaCode: 131000 }],
    ['code 131016', 503, graphError(131016), { kind: 'retry', reason: 'server_error', ambiguous: false, metaCode: 131016 }],
  ])('%s → retry', async (_name, status, body, expected) => {
    handler = (_req, res) => reply(res, status, body);
    expect(await provider().sendMessage(textSend())).toEqual(expected);
  });

  it.each<[number, string]>([
    [131026, 'undeliverable'],
    [131049, 'undeliverable'],
    [131051, 'media_type_unsupported'],
    [131052, 'media_type_unsupported'],
    [131053, 'media_type_unsupported'],
    [100, 'invalid_input'],
    [131009, 'invalid_input'],
    [132000, 'invalid_input'],
    [132001, 'invalid_input'],
    [132005, 'invalid_input'],
    [132007, 'invalid_input'],
    [132012, 'invalid_input'],
    [368, 'rejected'],
    [131031, 'rejected'],
  ])('code %i → failed %s', async (code, failureCode) => {
    handler = (_req, res) => reply(res, 400, graphError(code, `(#${code}) Title`, 'Details here'));
    expect(await provider().sendMessage(textSend())).toEqual({
      kind: 'failed',
      failure: { code: failureCode, message: `(#${code}) Title: Details here`, metaCode: code },
    });
  });

  it('maps a 4xx that is not Graph JSON to rejected', async () => {
    handler = (_req, res) => reply(res, 404, 'Not Found', { 'content-type': 'text/plain' });
    expect(await provider().sendMessage(textSend())).toEqual({ kind: 'failed', failure: { code: 'rejected', message: 'HTTP 404' } });
  });

  it.each<[string, unknown]>([
    ['no messages', { messaging_product: 'whatsapp' }],
    ['an empty messages array', { messages: [] }],
    ['a non-string id', { messages: [{ id: 42 }] }],
    ['not JSON', 'ok'],
  ])('treats a 200 with %s as an ambiguous server error', async (_name, body) => {
    handler = (_req, res) => reply(res, 200, body);
    expect(await provider().sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'server_error', ambiguous: true });
  });

  it('reports a server that takes the request and never answers as an ambiguous timeout', async () => {
    handler = () => undefined;
    expect(await provider({ requestTimeoutMs: 200 }).sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'timeout', ambiguous: true });
    expect(seen).toHaveLength(1);
  });

  it('reports a connection cut after the request was sent as an ambiguous network failure', async () => {
    handler = (_req, res) => {
      res.socket?.destroy();
    };
    expect(await provider().sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'network', ambiguous: true });
  });

  it('reports a 200 whose body is cut off as ambiguous', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"messages":[{"id":"wamid.');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    expect(await provider().sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'network', ambiguous: true });
  });

  it('reports a refused connection as a network failure that did not reach Meta', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await provider({ graphUrl: `http://127.0.0.1:${port}` }).sendMessage(textSend())).toEqual({ kind: 'retry', reason: 'network', ambiguous: false });
  });

  it('caps the failure message at 1,000 characters', async () => {
    handler = (_req, res) => reply(res, 400, graphError(100, '(#100) Invalid parameter', 'x'.repeat(5_000)));
    const outcome = await provider().sendMessage(textSend());
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') expect(outcome.failure.message.length).toBeLessThanOrEqual(1_000);
  });
});

describe('several business numbers', () => {
  it('sends, marks read and uploads from the number each call names, never the relay’s default', async () => {
    const north = '100000000000002';
    handler = (req, res) =>
      reply(
        res,
        200,
        req.path.endsWith('/media') ? { id: 'M9' } : req.body.includes('"status":"read"') ? { success: true } : { messages: [{ id: 'wamid.N' }] },
      );
    expect(await provider().sendMessage({ ...textSend(), from: north })).toEqual({ kind: 'accepted', wamid: 'wamid.N' });
    expect(await provider().markRead('wamid.IN2', north)).toEqual({ ok: true, value: true });
    expect(await provider().uploadMedia({ bytes: Buffer.from('x'), mimeType: 'image/png', fileName: 'a.png' }, north)).toEqual({ ok: true, value: 'M9' });
    expect(seen.map((r) => r.path)).toEqual([
      `/sandbox/graph/v21.0/${north}/messages`,
      `/sandbox/graph/v21.0/${north}/messages`,
      `/sandbox/graph/v21.0/${north}/media`,
    ]);
  });
});

describe('markRead', () => {
  it('posts the read receipt and answers ok on success:true', async () => {
    handler = (_req, res) => reply(res, 200, { success: true });
    expect(await provider().markRead('wamid.IN1', PHONE_NUMBER_ID)).toEqual({ ok: true, value: true });
    const request = only();
    expect(request.path).toBe(`/sandbox/graph/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1' });
  });

  it.each<[string, number, unknown, boolean]>([
    ['success:false', 200, { success: false }, true],
    ['a 400', 400, graphError(100, '(#100) Invalid parameter'), false],
    ['a 500', 500, {}, true],
    ['a rate limit', 400, graphError(130429), true],
  ])('fails on %s (retryable: %s)', async (_name, status, body, retryable) => {
    handler = (_req, res) => reply(res, status, body);
    const result = await provider().markRead('wamid.IN1', PHONE_NUMBER_ID);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.retryable).toBe(retryable);
  });
});

describe('uploadMedia', () => {
  it('sends multipart form data that parses back to the same fields and bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    let parsed: { product: unknown; type: unknown; file: { name: string; type: string; bytes: Buffer } } | undefined;
    handler = async (req, res) => {
      const form = await new Response(new Uint8Array(req.body), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob)) throw new Error('no file part');
      parsed = {
        product: form.get('messaging_product'),
        type: form.get('type'),
        file: { name: (file as File).name, type: file.type, bytes: Buffer.from(await file.arrayBuffer()) },
      };
      reply(res, 200, { id: '1037543291543636' });
    };
    const result = await provider().uploadMedia({ bytes, mimeType: 'application/pdf', fileName: 'statement-march.pdf' }, PHONE_NUMBER_ID);
    expect(result).toEqual({ ok: true, value: '1037543291543636' });
    const request = only();
    expect(request.path).toBe(`/sandbox/graph/v21.0/${PHONE_NUMBER_ID}/media`);
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(parsed?.product).toBe('whatsapp');
    expect(parsed?.type).toBe('application/pdf');
    expect(parsed?.file.name).toBe('statement-march.pdf');
    expect(parsed?.file.bytes.equals(bytes)).toBe(true);
  });

  it('fails without retry on a 4xx, with retry on a 5xx', async () => {
    handler = (_req, res) => reply(res, 400, graphError(131053, '(#131053) Media upload error'));
    expect(await provider().uploadMedia({ bytes: Buffer.from('x'), mimeType: 'application/x-evil', fileName: 'a.bin' }, PHONE_NUMBER_ID)).toMatchObject({
      ok: false,
      error: { retryable: false, metaCode: 131053 },
    });
    handler = (_req, res) => reply(res, 502, 'bad gateway');
    expect(await provider().uploadMedia({ bytes: Buffer.from('x'), mimeType: 'image/png', fileName: 'a.png' }, PHONE_NUMBER_ID)).toMatchObject({
      ok: false,
      error: { retryable: true },
    });
  });
});

describe('fetchMedia', () => {
  const MEDIA_ID = '1503221694512345';
  const bytes = Buffer.from(Array.from({ length: 48_213 }, (_, i) => (i * 7 + 3) % 256));
  const base64 = createHash('sha256').update(bytes).digest('base64');
  const hex = createHash('sha256').update(bytes).digest('hex');

  /** Plays Graph's GET /{media-id} (from the fixture) and the lookaside download, which requires the bearer token. */
  async function serveMedia(overrides: Record<string, unknown> = {}, served: Buffer = bytes): Promise<void> {
    const info = {
      ...(await fixture('graph-media-url-response.json')),
      url: `${origin}/lookaside/whatsapp_business/attachments/?mid=${MEDIA_ID}&ext=1763971560&hash=ATuQ1c2`,
      sha256: base64,
      file_size: bytes.length,
      ...overrides,
    };
    handler = (req, res) => {
      if (req.path === `/sandbox/graph/v21.0/${MEDIA_ID}`) return reply(res, 200, info);
      if (req.path.startsWith('/lookaside/')) {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(res, 401, { error: { message: 'no token' } });
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end(served);
        return;
      }
      reply(res, 404, {});
    };
  }

  it('fetches the URL, then the bytes with the bearer token, checking Meta’s base64 SHA-256', async () => {
    await serveMedia();
    const result = await provider().fetchMedia(MEDIA_ID);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.bytes.equals(bytes)).toBe(true);
    expect(result.value.mimeType).toBe('application/pdf');
    expect(result.value.sha256).toBe(hex);
    expect(seen.map((r) => [r.path.split('?')[0], r.headers.authorization])).toEqual([
      [`/sandbox/graph/v21.0/${MEDIA_ID}`, `Bearer ${TOKEN}`],
      ['/lookaside/whatsapp_business/attachments/', `Bearer ${TOKEN}`],
    ]);
  });

  it('accepts the hash in hex too', async () => {
    await serveMedia({ sha256: hex.toUpperCase() });
    expect((await provider().fetchMedia(MEDIA_ID)).ok).toBe(true);
  });

  it('refuses bytes whose SHA-256 does not match', async () => {
    const tampered = Buffer.from(bytes);
    tampered[100] = (tampered[100] ?? 0) ^ 0xff;
    await serveMedia({}, tampered);
    expect(await provider().fetchMedia(MEDIA_ID)).toMatchObject({ ok: false, error: { retryable: false, message: expect.stringMatching(/SHA-256/) } });
  });

  it('refuses a file Meta says is too large, without downloading it', async () => {
    await serveMedia();
    expect(await provider({ maxMediaBytes: 10_000 }).fetchMedia(MEDIA_ID)).toMatchObject({
      ok: false,
      error: { retryable: false, message: expect.stringMatching(/limit/) },
    });
    expect(seen).toHaveLength(1);
  });

  it('refuses a download that turns out larger than the limit (file_size understated, chunked)', async () => {
    await serveMedia({ file_size: 1_000 });
    // Chunked, so no Content-Length: only counting the stream can catch it.
    const original = handler;
    handler = (req, res) => {
      if (!req.path.startsWith('/lookaside/')) return original(req, res);
      res.writeHead(200, { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 10; i++) res.write(bytes.subarray(i * 4_000, (i + 1) * 4_000));
      res.end();
    };
    expect(await provider({ maxMediaBytes: 10_000 }).fetchMedia(MEDIA_ID)).toMatchObject({
      ok: false,
      error: { retryable: false, message: expect.stringMatching(/limit/) },
    });
  });

  it('passes on the status when Graph refuses the media id', async () => {
    handler = (_req, res) => reply(res, 404, graphError(100, '(#100) Unsupported get request'));
    expect(await provider().fetchMedia(MEDIA_ID)).toMatchObject({ ok: false, error: { retryable: false, metaCode: 100 } });
    handler = (_req, res) => reply(res, 500, {});
    expect(await provider().fetchMedia(MEDIA_ID)).toMatchObject({ ok: false, error: { retryable: true } });
  });

  it('refuses an id that could leave its path segment', async () => {
    for (const id of ['..', '../../me', '', 'a/b']) {
      expect(await provider().fetchMedia(id)).toMatchObject({ ok: false, error: { retryable: false } });
    }
    expect(seen).toHaveLength(0);
  });

  it('will not send the token over http when Graph itself is https', async () => {
    const calls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ url: 'http://lookaside.example/x', mime_type: 'image/jpeg', sha256: base64, file_size: 10 }), { status: 200 });
    };
    const result = await provider({ graphUrl: 'https://graph.example', fetch: fakeFetch }).fetchMedia(MEDIA_ID);
    expect(result).toMatchObject({ ok: false, error: { retryable: false } });
    expect(calls).toEqual([`https://graph.example/v21.0/${MEDIA_ID}`]);
  });
});

describe('listTemplates', () => {
  const page1 = (next: string) => ({
    data: [
      {
        name: 'branch_follow_up',
        language: 'en_US',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Branchline' },
          { type: 'BODY', text: 'Hello {{1}}, your appointment at {{2}} is confirmed. Reply to {{1}}.' },
        ],
        id: '1',
      },
      { name: 'promo_rejected', language: 'en_US', status: 'REJECTED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Buy {{1}}' }], id: '2' },
    ],
    paging: { cursors: { before: 'A', after: 'B' }, next },
  });
  const page2 = {
    data: [
      { name: 'card_ready', language: 'he', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'הכרטיס שלך מוכן' }], id: '3' },
      { name: 'pending_one', language: 'he', status: 'PENDING', category: 'UTILITY', components: [{ type: 'BODY', text: '{{1}}' }], id: '4' },
    ],
    paging: { cursors: { before: 'C', after: 'D' } },
  };

  it('follows paging.next and keeps only approved templates', async () => {
    handler = (req, res) => {
      if (req.path.includes('after=B')) return reply(res, 200, page2);
      reply(res, 200, page1(`${origin}/sandbox/graph/v21.0/WABA77/message_templates?fields=name,language,status,category,components&limit=100&after=B`));
    };
    expect(await provider().listTemplates()).toEqual({
      ok: true,
      value: [
        {
          name: 'branch_follow_up',
          language: 'en_US',
          category: 'UTILITY',
          body: 'Hello {{1}}, your appointment at {{2}} is confirmed. Reply to {{1}}.',
          parameterCount: 2,
        },
        { name: 'card_ready', language: 'he', category: 'UTILITY', body: 'הכרטיס שלך מוכן', parameterCount: 0 },
      ],
    });
    expect(seen).toHaveLength(2);
    const first = new URL(seen[0]?.path ?? '', origin);
    expect(first.pathname).toBe('/sandbox/graph/v21.0/WABA77/message_templates');
    expect(first.searchParams.get('fields')).toBe('name,language,status,category,components');
    expect(first.searchParams.get('limit')).toBe('100');
    expect(seen.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('stops after 20 pages', async () => {
    handler = (_req, res) => reply(res, 200, { data: [], paging: { next: `${origin}/sandbox/graph/v21.0/WABA77/message_templates?after=again` } });
    expect(await provider().listTemplates()).toEqual({ ok: true, value: [] });
    expect(seen).toHaveLength(20);
  });

  it('answers an empty list without a business account id, asking nothing', async () => {
    expect(await provider({ businessAccountId: undefined }).listTemplates()).toEqual({ ok: true, value: [] });
    expect(seen).toHaveLength(0);
  });

  it('will not follow a next-page link to another origin with the token', async () => {
    handler = (_req, res) => reply(res, 200, page1('http://127.0.0.2:9/steal'));
    expect(await provider().listTemplates()).toMatchObject({ ok: false, error: { retryable: false } });
    expect(seen).toHaveLength(1);
  });

  it('fails when a page fails', async () => {
    handler = (req, res) => {
      if (req.path.includes('after=B')) return reply(res, 500, {});
      reply(res, 200, page1(`${origin}/sandbox/graph/v21.0/WABA77/message_templates?after=B`));
    };
    expect(await provider().listTemplates()).toMatchObject({ ok: false, error: { retryable: true } });
  });
});

describe('secrets stay out of messages', () => {
  it('never returns the access token, the message text or a phone number, even when Meta echoes them', async () => {
    const text = 'Your PIN reset code is in the branch envelope';
    const echo = `Invalid OAuth access token ${TOKEN} for +${CUSTOMER}: "${text}"`;
    handler = (_req, res) => reply(res, 400, graphError(131009, `(#131009) ${echo}`, echo));
    const results: unknown[] = [
      await provider().sendMessage(textSend(text)),
      await provider().markRead('wamid.1', PHONE_NUMBER_ID),
      await provider().uploadMedia({ bytes: Buffer.from('x'), mimeType: 'image/png', fileName: 'a.png' }, PHONE_NUMBER_ID),
      await provider().fetchMedia('123'),
      await provider().listTemplates(),
    ];
    handler = (_req, res) => reply(res, 401, graphError(190, `(#190) ${echo}`));
    results.push(await provider().sendMessage(textSend(text)), await provider().fetchMedia('123'));

    const all = JSON.stringify(results);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(CUSTOMER);
    // Only a send carries the text, so only a send's answer can echo it.
    expect(JSON.stringify([results[0], results[5]])).not.toContain(text);
    expect(results[0]).toMatchObject({ kind: 'failed', failure: { code: 'invalid_input' } });
    expect(all).toContain('131009'); // Meta's code and title survive
  });

  it('keeps connection failures free of URLs and tokens', async () => {
    handler = () => undefined;
    const result = await provider({ requestTimeoutMs: 200 }).listTemplates();
    expect(result).toMatchObject({ ok: false, error: { retryable: true } });
    expect(JSON.stringify(result)).not.toMatch(/127\.0\.0\.1|Bearer|EAAG/);
  });

  it('refuses a token that cannot go in a header, without quoting it', () => {
    expect(() => provider({ accessToken: 'abc\ndef' })).toThrow(/accessToken/);
    expect(() => provider({ accessToken: 'abc\ndef' })).not.toThrow(/abc/);
  });
});
