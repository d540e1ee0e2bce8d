// Media to and from a real relay: what the composer's attachments and the conversation's images rely on.
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../relay/test-support/relay-harness';
import { createRelayMediaClient, relayHttpUrl } from './relay-media-client';

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

describe('relay media client', () => {
  it.each([
    ['ws://127.0.0.1:8080', 'http://127.0.0.1:8080/v1/media'],
    ['wss://relay.bank.example/', 'https://relay.bank.example/v1/media'],
    ['https://gw.bank.example/branchline/', 'https://gw.bank.example/branchline/v1/media'],
    ['http://127.0.0.1:8080?x=1', 'http://127.0.0.1:8080/v1/media'],
  ])('addresses %s as %s', (base, expected) => {
    expect(relayHttpUrl(base, '/v1/media').href).toBe(expected);
  });

  it('uploads a document and downloads it again, by a ws:// relay address', async () => {
    relay = await startTestRelay({ sandbox: true });
    const client = createRelayMediaClient();
    const bytes = Buffer.from('%PDF-1.4 statement');
    const base = relay.relay.url.replace('http://', 'ws://');
    const uploaded = await client.upload(base, relay.token, { bytes, mimeType: 'application/pdf', fileName: 'Loan statement March.pdf' });
    expect(uploaded.ok).toBe(true);
    if (!uploaded.ok) return;
    const downloaded = await client.download(base, relay.token, uploaded.value.mediaId);
    expect(downloaded).toMatchObject({ ok: true, value: { mimeType: 'application/pdf', fileName: 'Loan statement March.pdf' } });
    if (downloaded.ok) expect(downloaded.value.bytes).toEqual(bytes);
  });

  it("reports the relay's refusal in its own words", async () => {
    relay = await startTestRelay({ sandbox: true });
    const refused = await createRelayMediaClient().upload(relay.relay.url, relay.token, {
      bytes: Buffer.from('MZ'),
      mimeType: 'application/x-msdownload',
      fileName: 'tool.exe',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'media_type_unsupported', retryable: false } });
  });

  it('reads a 429 without the relay’s JSON (a front proxy’s page) as throttled and worth retrying, not a bad request', async () => {
    const proxy = createServer((_req, res) => res.writeHead(429, { 'retry-after': '30', 'content-type': 'text/html' }).end('<h1>Too many</h1>'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as { port: number };
      const answer = await createRelayMediaClient().download(`http://127.0.0.1:${port}`, 'bla_access_token_0001', 'media-1');
      expect(answer).toMatchObject({ ok: false, error: { code: 'rate_limited', retryable: true } });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
