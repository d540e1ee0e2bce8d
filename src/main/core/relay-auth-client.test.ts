// The /v1/auth calls go the socket's way: never to a plain relay on another computer, only to a relay presenting a
// pinned key (a real TLS server on 127.0.0.1 with an openssl certificate), and within a deadline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsole } from './create-console';
import { parsePolicy } from './policy';
import { createRelayAuthClient } from './relay-auth-client';
import { fixedNetwork } from './relay-network';
import { spkiPinOf } from './relay-pins';

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
const tlsKeys = { cert: '', key: '' };
const servers: Server[] = [];
const stops: (() => Promise<void>)[] = [];

beforeAll(() => {
  if (!HAS_OPENSSL) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-auth-tls-'));
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost'];
  const made = spawnSync('openssl', [...args, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`]);
  if (made.status !== 0) throw new Error(made.stderr.toString());
  tlsKeys.cert = readFileSync(`${dir}/c.pem`, 'utf8');
  tlsKeys.key = readFileSync(`${dir}/k.pem`, 'utf8');
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const CONFIG = JSON.stringify({ methods: ['sso', 'token'], sso: { issuer: 'https://login.bank.example/' }, sessionMinutes: 15, maxSessionHours: 12 });

describe('the relay auth client', () => {
  it('sends nothing to a plain http:// relay on another computer', async () => {
    const result = await createRelayAuthClient().signIn('http://relay.bank.example:8080', 'blt_secret_token_0001', 'device-1');
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(JSON.stringify(result)).not.toContain('blt_secret_token_0001');
  });

  it('gives up at its deadline on a relay that never answers', async () => {
    const port = await listen(createHttpServer(() => {}));
    const result = await createRelayAuthClient({ timeoutMs: 200 }).refresh(`http://127.0.0.1:${port}`, 'blr_secret_refresh_0001', 'device-1');
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    expect(JSON.stringify(result)).not.toContain('blr_secret_refresh_0001');
  });

  it('reads a relay from before device sessions as not_found, whatever page a proxy put in front', async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>')));
    expect(await createRelayAuthClient().config(`ws://127.0.0.1:${port}`)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it("reads a proxy's own 400 or 403 page at refresh as 'not reachable now' (retried), never as a refusal that ends the session", async () => {
    for (const status of [400, 403]) {
      const port = await listen(createHttpServer((_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>Blocked by policy</h1>')));
      const result = await createRelayAuthClient().refresh(`http://127.0.0.1:${port}`, 'blr_secret_refresh_0001', 'device-1');
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    }
    // The relay's own refusal still ends it.
    const body = JSON.stringify({ error: { code: 'unauthorized', message: 'this refresh token was already used', retryable: false } });
    const port = await listen(createHttpServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(body)));
    expect(await createRelayAuthClient().refresh(`http://127.0.0.1:${port}`, 'blr_secret_refresh_0001', 'device-1')).toMatchObject({
      ok: false,
      error: { code: 'unauthorized', retryable: false },
    });
  });

  it('passes on a 429 with its Retry-After', async () => {
    const body = JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', retryable: true } });
    const port = await listen(createHttpServer((_req, res) => res.writeHead(429, { 'retry-after': '30' }).end(body)));
    const result = await createRelayAuthClient().signIn(`http://127.0.0.1:${port}`, 'blt_secret_token_0001', 'device-1');
    expect(result).toMatchObject({ ok: false, error: { code: 'rate_limited', retryable: true } });
    expect(!result.ok && result.error.message).toContain('try again in 30 s');
  });
});

describe.skipIf(!HAS_OPENSSL)('through the console, with machine policy pins', () => {
  async function tlsRelay(): Promise<{ url: string; requests: string[] }> {
    const requests: string[] = [];
    const server = createHttpsServer(tlsKeys, (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(CONFIG);
    });
    return { url: `wss://127.0.0.1:${await listen(server)}`, requests };
  }

  function consoleWith(pins: string[]) {
    const core = createConsole({
      dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-auth-pins-')),
      network: fixedNetwork({ ca: tlsKeys.cert }),
      policy: parsePolicy({ relay: { pins } }, 'policy.json'),
    });
    stops.push(() => core.stop());
    return core;
  }

  it('asks a relay presenting the pinned key', async () => {
    const relay = await tlsRelay();
    const core = consoleWith([spkiPinOf(Buffer.from(tlsKeys.cert))]);
    const methods = await core.service.call('session.authMethods', { relayUrl: relay.url });
    expect(methods).toEqual({ ok: true, value: { sso: true, token: true, ssoIssuer: 'https://login.bank.example/' } });
    expect(relay.requests).toEqual(['GET /v1/auth/config']);
  });

  it('sends no token to a relay presenting another key', async () => {
    const relay = await tlsRelay();
    const core = consoleWith([Buffer.alloc(32, 7).toString('base64')]);
    const signIn = await core.service.call('session.signIn', { relayUrl: relay.url, token: 'blt_secret_token_0001' });
    expect(signIn).toMatchObject({ ok: false, error: { code: 'tls_failure' } });
    expect(relay.requests).toEqual([]);
  });
});
