// Upload quotas and expiry on a real relay: one agent's flood of uploads is refused while another agent uploads, and
// uploads no message refers to are deleted, rows and files, while those a queued or sent message refers to are kept.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../shared/clock';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import { connectWebSocket, PROTOCOL_V2, uuidv7, type WsConnection } from './test-support/docs-client';
import { RecordingProvider, startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

let relay: TestRelay | undefined;
let ws: WsConnection | undefined;
afterEach(async () => {
  ws?.dispose();
  await relay?.stop();
  relay = undefined;
});

const Uploaded = z.looseObject({ mediaId: z.string() });

function upload(t: TestRelay, token: string, bytes: Buffer): Promise<Response> {
  return fetch(`${t.relay.url}/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'x-file-name': 'form.pdf' },
    body: bytes,
  });
}

/** An upload that does not say its length (chunked), as a client streaming a file of unknown size would send it. */
function uploadChunked(t: TestRelay, bytes: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.relay.url}/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The relay may answer and close before the last chunk: the answer is what counts.
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
    for (let at = 0; at < bytes.length; at += 1024) req.write(bytes.subarray(at, at + 1024));
    req.end();
  });
}

async function withBen(env: Record<string, string>): Promise<{ t: TestRelay; benToken: string }> {
  relay = await startTestRelay({ env });
  const benToken = generateAgentToken();
  expect((await relay.relay.store.addAgent('ben', 'Ben Amar', hashAgentToken(benToken), Date.now())).ok).toBe(true);
  return { t: relay, benToken };
}

describe('upload quotas', () => {
  it('takes 5 files of a flood of 40 sent at once, refuses the rest with words and Retry-After, and still takes the other agent’s', async () => {
    const { t, benToken } = await withBen({ RELAY_LIMIT_UPLOAD_FILES_PER_WINDOW: '5' });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => upload(t, t.token, Buffer.from(`%PDF-1.4 flood ${i}`))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(35);
    expect(refused.every((a) => Number(a.headers.get('retry-after')) > 0)).toBe(true);
    expect(await refused[0]!.json()).toMatchObject({
      error: {
        code: 'rate_limited',
        retryable: true,
        message: expect.stringMatching(/^Upload limit reached: each agent may upload 5 files and 1024 MB in 60 minutes; try again in \d+ s$/),
      },
    });
    await Promise.all(answers.filter((a) => !a.bodyUsed).map((a) => a.body?.cancel()));
    // Once the five are stored, the wait is until the first of them leaves the hour.
    const after = await upload(t, t.token, Buffer.from('%PDF-1.4 one more'));
    expect(after.status).toBe(429);
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(3_500);
    expect((await upload(t, benToken, Buffer.from('%PDF-1.4 ben'))).status).toBe(201);
    expect((await t.relay.store.uploadUsage('ana', 0)).files).toBe(5);
  });

  it('counts bytes, a body that does not say its length included: past the room left it is refused and nothing is kept', async () => {
    const { t, benToken } = await withBen({ RELAY_LIMIT_UPLOAD_BYTES_PER_WINDOW: String(20 * 1024) });
    expect((await upload(t, t.token, Buffer.alloc(12 * 1024, 1))).status).toBe(201);
    const declared = await upload(t, t.token, Buffer.alloc(12 * 1024, 2));
    expect(declared.status).toBe(429);
    const streamed = await uploadChunked(t, Buffer.alloc(12 * 1024, 3));
    expect(streamed.status).toBe(429);
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('20480 bytes in 60 minutes') } });
    expect(await t.relay.store.uploadUsage('ana', 0)).toMatchObject({ files: 1, bytes: 12 * 1024 });
    // What fits still fits, and the other agent's room is their own.
    expect((await uploadChunked(t, Buffer.alloc(4 * 1024, 4))).status).toBe(201);
    expect((await upload(t, benToken, Buffer.alloc(16 * 1024, 5))).status).toBe(201);
  });
});

describe('expiry of uploads never sent', () => {
  it('deletes an unsent upload and its file once it is older than limits.uploadExpiryHours, keeping those a message refers to', async () => {
    const provider = new RecordingProvider();
    relay = await startTestRelay({ sandbox: true, overrides: { provider } });
    const t = relay;
    const res = await fetch(`${t.relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '972541234567', name: 'Dana', text: 'Hello' }) });
    expect(res.status).toBe(200);
    ws = connectWebSocket({ baseUrl: t.relay.url, token: t.token, device: 'desk-1', protocols: [PROTOCOL_V2] });
    await ws.hello();
    const { conversations } = await ws.call<{ conversations: { id: string }[] }>('conversations.list', {});
    const conversationId = conversations[0]!.id;
    const mediaIdOf = async (r: Response) => Uploaded.parse(await r.json()).mediaId;
    const sent = await mediaIdOf(await upload(t, t.token, Buffer.from('%PDF-1.4 sent')));
    const queued = await mediaIdOf(await upload(t, t.token, Buffer.from('%PDF-1.4 queued')));
    const unsent = await mediaIdOf(await upload(t, t.token, Buffer.from('%PDF-1.4 never sent')));
    const send = (mediaId: string) => ws!.call('messages.send', { clientMessageId: uuidv7(), conversationId, content: { type: 'document', mediaId } });
    await send(sent);
    await waitFor('the first document handed to WhatsApp', () => (provider.sends.length === 1 ? true : undefined));
    provider.willAnswer({ kind: 'retry', reason: 'server_error', retryAfterMs: 3_600_000, ambiguous: false });
    await send(queued);
    await waitFor('the second document refused for now', () => (provider.sends.length === 2 ? true : undefined));
    ws.dispose();
    await t.stop();

    // The same data a day and an hour later (the default expiry is 24 hours): the sweep runs as the relay starts.
    const later = { ...systemClock, wallNow: () => Date.now() + 25 * 3_600_000 };
    relay = await startTestRelay({ sandbox: true, dataDir: t.dataDir, token: t.token, overrides: { provider: new RecordingProvider(), clock: later } });
    const fileOf = (id: string) => path.join(t.dataDir, 'media', id);
    await waitFor('the unsent upload deleted, row and file', async () =>
      (await relay!.relay.store.getMedia(unsent)) === null && !existsSync(fileOf(unsent)) ? true : undefined,
    );
    const fresh = await mediaIdOf(await upload(relay, t.token, Buffer.from('%PDF-1.4 fresh')));
    for (const kept of [sent, queued, fresh]) {
      const download = await fetch(`${relay.relay.url}/v1/media/${kept}`, { headers: { authorization: `Bearer ${t.token}` } });
      expect(download.status).toBe(200);
      await download.arrayBuffer();
    }
    expect(relay.logLines.some((l) => l.includes('media.uploads_expired') && l.includes('"count":1'))).toBe(true);
  });
});
