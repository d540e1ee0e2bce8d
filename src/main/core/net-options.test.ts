// TLS trust, the CONNECT proxy and failure naming: unit checks, then a real relay behind a self-signed TLS front.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import { X509Certificate } from 'node:crypto';
import { relayEndpoint, resolveNetSettings } from './net-options';
import { spkiPinOf } from './relay-pins';
import { customerWrites, range, testDevice, type TestDevice } from './test-support/relay-device';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy';

describe('net options (unit)', () => {
  it('builds endpoints from any of the four schemes, keeping a path prefix', () => {
    expect(relayEndpoint('https://relay.bank.example/base/', 'ws', '/v1/agent', { device: 'd-1', since: null }).href).toBe(
      'wss://relay.bank.example/base/v1/agent?device=d-1',
    );
    expect(relayEndpoint('ws://127.0.0.1:8787', 'http', '/v1/poll', { v: '1', since: '5' }).href).toBe('http://127.0.0.1:8787/v1/poll?v=1&since=5');
    expect(relayEndpoint('wss://relay.example', 'http', '/v1/poll').protocol).toBe('https:');
    expect(() => relayEndpoint('ftp://relay.example', 'ws', '/v1/agent')).toThrow(TypeError);
  });

  it("adds the extra CA to Node's roots, parses the proxy, refuses a non-http proxy", () => {
    const config = resolveNetSettings({ ca: 'PEM', proxy: 'http://user:p%40ss@proxy.corp:3128' });
    expect(config.ca?.at(-1)).toBe('PEM');
    expect(config.ca!.length).toBeGreaterThan(1);
    expect(config.proxy).toEqual({ host: 'proxy.corp', port: 3128, authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}` });
    expect(resolveNetSettings({ proxy: null })).toEqual({ ca: undefined, proxy: null, checkServerIdentity: undefined });
    expect(() => resolveNetSettings({ proxy: 'socks5://proxy.corp:1080' })).toThrow(TypeError);
  });
});

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
let cert = '';
let key = '';

beforeAll(() => {
  if (!HAS_OPENSSL) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-tls-'));
  const result = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr.toString()}`);
  cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
});

interface ConnectProxy {
  url: string;
  /** The authorities CONNECT was asked for, in order. */
  tunnels: string[];
  /** When set, CONNECT is answered with this status instead of a tunnel. */
  refuseWith: number | null;
  close(): Promise<void>;
}

/** A minimal HTTP proxy that only speaks CONNECT, like most office proxies for https. */
async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client, head) => {
    client.on('error', () => {});
    if (proxy.refuseWith !== null) {
      client.end(`HTTP/1.1 ${proxy.refuseWith} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    proxy.tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const proxy: ConnectProxy = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels: [],
    refuseWith: null,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

let relay: TestRelay | undefined;
let front: TcpProxy | undefined;
let connectProxy: ConnectProxy | undefined;
const devices: TestDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) await d.conn.stop();
  await connectProxy?.close();
  await front?.close();
  await relay?.stop();
  connectProxy = undefined;
  front = undefined;
  relay = undefined;
});

const caughtUp = async (r: TestRelay, d: TestDevice) => {
  const head = await r.relay.store.head();
  return head > 0 && d.cursor === head ? head : undefined;
};

function device(url: string, token: string, options: Parameters<typeof testDevice>[2] = {}): TestDevice {
  const d = testDevice(url, token, options);
  devices.push(d);
  d.conn.start();
  return d;
}

describe('TLS and proxy against a real relay', () => {
  it('a self-signed TLS front → tlsProblem without ca; wss and https polling work with ca = that certificate', async (ctx) => {
    if (!HAS_OPENSSL) ctx.skip('needs the openssl binary');
    relay = await startTestRelay({ sandbox: true });
    front = await startTcpProxy({ targetPort: relay.relay.port, tls: { key, cert } });
    const r = relay;

    const untrusting = device(front.url, r.token);
    // Read the state as it was reported: with test backoff it moves on to the next attempt within milliseconds.
    const tlsState = await waitFor('a TLS problem', () => untrusting.states.find((s) => s.tlsProblem));
    expect(tlsState).toMatchObject({ status: 'backing_off', transport: null });
    expect(tlsState.detail).toMatchObject({
      code: 'tls_untrusted',
      params: { error: expect.stringMatching(/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/) },
    });
    expect(untrusting.states.some((s) => s.status === 'live')).toBe(false);
    await untrusting.conn.stop();

    const ws = device(front.url, r.token, { ca: cert });
    await waitFor('live over wss', () => (ws.conn.snapshot().status === 'live' ? true : undefined));
    expect(ws.conn.snapshot()).toMatchObject({ transport: 'ws', tlsProblem: false, detail: null });
    await customerWrites(r.relay.url, 'over TLS');
    const head = await waitFor('caught up', () => caughtUp(r, ws));
    expect(ws.committed).toEqual(range(1, head));
    await ws.conn.stop();

    const poll = device(front.url, r.token, { ca: Buffer.from(cert), transport: 'poll', startCursor: head });
    await waitFor('polling over https', () => (poll.conn.snapshot().status === 'polling' ? true : undefined));
    await customerWrites(r.relay.url, 'over https polling');
    const head2 = await waitFor('caught up over polling', () => caughtUp(r, poll));
    expect(poll.committed).toEqual(range(head + 1, head2));
  });

  it('tunnels wss and https polling through an HTTP CONNECT proxy; a refused CONNECT is named as a proxy problem', async (ctx) => {
    if (!HAS_OPENSSL) ctx.skip('needs the openssl binary');
    relay = await startTestRelay({ sandbox: true });
    front = await startTcpProxy({ targetPort: relay.relay.port, tls: { key, cert } });
    connectProxy = await startConnectProxy();
    const r = relay;
    const authority = `127.0.0.1:${front.port}`;

    const ws = device(front.url, r.token, { ca: cert, proxy: connectProxy.url });
    await waitFor('live over the tunnel', () => (ws.conn.snapshot().status === 'live' ? true : undefined));
    expect(connectProxy.tunnels).toContain(authority);
    await customerWrites(r.relay.url, 'through the proxy');
    const head = await waitFor('caught up', () => caughtUp(r, ws));
    await ws.conn.stop();

    const tunnelsBefore = connectProxy.tunnels.length;
    const poll = device(front.url, r.token, { ca: cert, proxy: connectProxy.url, transport: 'poll', startCursor: head });
    await waitFor('polling over the tunnel', () => (poll.conn.snapshot().status === 'polling' ? true : undefined));
    expect(connectProxy.tunnels.length).toBeGreaterThan(tunnelsBefore);
    expect((await poll.conn.request('templates.list', {})).ok).toBe(true);
    await poll.conn.stop();

    // A plain ws:// relay through the same proxy works too (CONNECT, no TLS inside).
    const plain = device(r.relay.url, r.token, { proxy: connectProxy.url, startCursor: head });
    await waitFor('live through the proxy, no TLS', () => (plain.conn.snapshot().status === 'live' ? true : undefined));
    expect(connectProxy.tunnels).toContain(`127.0.0.1:${r.relay.port}`);
    await plain.conn.stop();

    // Pins hold inside the tunnel too: the right one connects, another is refused as a pin mismatch.
    const pinned = device(front.url, r.token, { ca: cert, proxy: connectProxy.url, pins: [spkiPinOf(new X509Certificate(cert).raw)], startCursor: head });
    await waitFor('live through the proxy, pinned', () => (pinned.conn.snapshot().status === 'live' ? true : undefined));
    await pinned.conn.stop();
    const mismatched = device(front.url, r.token, { ca: cert, proxy: connectProxy.url, pins: [Buffer.alloc(32, 1).toString('base64')] });
    const mismatch = await waitFor('a pin mismatch through the proxy', () => mismatched.states.find((s) => s.detail?.code === 'tls_pin_mismatch'));
    expect(mismatch).toMatchObject({ tlsProblem: true });
    await mismatched.conn.stop();

    connectProxy.refuseWith = 407;
    const refused = device(front.url, r.token, { ca: cert, proxy: connectProxy.url });
    const proxyState = await waitFor('a proxy failure', () => refused.states.find((s) => s.detail?.code === 'proxy_failed'));
    expect(proxyState).toMatchObject({ status: 'backing_off', tlsProblem: false });
    expect(proxyState.detail).toEqual({ code: 'proxy_failed', params: { httpStatus: 407 } });
  });
});
