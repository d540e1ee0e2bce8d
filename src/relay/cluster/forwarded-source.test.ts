import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORWARD_HEADER, trustingForwards, vouchFor } from './forwarded-source';

const KEY = 'home-instance-forward-key';
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const FROM = '0123456789abcdef0123';

let server: Server;
let port = 0;
/** Each request's source as the home instance would take it, with no trusted proxies of its own. */
const sourceAtHome = trustingForwards(
  (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown',
  KEY,
  () => NOW,
);

beforeAll(async () => {
  server = createServer((req, res) => res.end(sourceAtHome(req)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The address the home believes for a request sent over a real loopback socket. */
function seenAtHome(method: string, target: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

const target = '/v1/poll/0123456789abcdef0123-abc';

describe('the console address one instance vouches for when it passes a long poll on', () => {
  it('is believed by the home when signed with its key for this very request', async () => {
    const header = vouchFor(KEY, { from: FROM, source: '203.0.113.7', at: NOW, method: 'GET', target });
    expect(await seenAtHome('GET', target, { [FORWARD_HEADER]: header })).toBe('203.0.113.7');
  });

  it.each([
    [
      'signed with another key (someone who cannot read the registry)',
      vouchFor('guessed', { from: FROM, source: '203.0.113.7', at: NOW, method: 'GET', target }),
    ],
    ['lifted from a GET onto a POST', vouchFor(KEY, { from: FROM, source: '203.0.113.7', at: NOW, method: 'GET', target })],
    ['for another session', vouchFor(KEY, { from: FROM, source: '203.0.113.7', at: NOW, method: 'POST', target: '/v1/poll/other' })],
    ['older than a minute (a replay)', vouchFor(KEY, { from: FROM, source: '203.0.113.7', at: NOW - 61_000, method: 'POST', target })],
    ['not in the header’s shape', 'v1.203.0.113.7'],
  ])('is ignored when %s: the socket’s own address counts', async (_what, header) => {
    expect(await seenAtHome('POST', target, { [FORWARD_HEADER]: header })).toBe('127.0.0.1');
  });

  it('keeps an X-Forwarded-For from a client meaning nothing to a relay that trusts no proxy', async () => {
    expect(await seenAtHome('GET', target, { 'x-forwarded-for': '198.51.100.9' })).toBe('127.0.0.1');
  });
});
