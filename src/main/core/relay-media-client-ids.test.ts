// Regression: "." and ".." as a media id never become a path segment of a request carrying the token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayMediaClient } from './relay-media-client';

let server: Server | null = null;
afterEach(async () => {
  if (server !== null) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = null;
});

// URL parsers resolve dot segments, encoded or not: before the fix media.get("..") sent the agent's token to GET /v1/
// (or /<prefix>/v1/ behind a reverse proxy).
describe('media ids that are dot segments', () => {
  it('are refused without a request', async () => {
    const paths: string[] = [];
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no","retryable":false}}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/branchline`;
    const client = createRelayMediaClient();
    for (const id of ['..', '.']) expect(await client.download(base, 'token-0123456789', id)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(paths).toEqual([]);
    // An ordinary id still goes where it should.
    await client.download(base, 'token-0123456789', 'media-1');
    expect(paths).toEqual(['/branchline/v1/media/media-1']);
  });
});
