// Certificate pinning against real TLS servers on 127.0.0.1: the pinned relay (leaf or CA pin) connects; a server with
// another certificate, trusted all the same, is refused as tls_pin_mismatch, never over long polling, with nothing sent.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import { createConsole } from './create-console';
import { parsePolicy } from './policy';
import { createRelayMediaClient } from './relay-media-client';
import { fixedNetwork } from './relay-network';
import { spkiPinOf } from './relay-pins';
import { testDevice, type TestDevice } from './test-support/relay-device';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy';

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const SAN = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

/** Relay A: a leaf signed by its own CA. Server B: a self-signed certificate of its own. Both trusted by the client. */
const pki = { caCert: '', leafCert: '', leafKey: '', otherCert: '', otherKey: '' };

function openssl(args: string[], input?: Buffer): Buffer {
  const result = spawnSync('openssl', args, input === undefined ? {} : { input });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** The pin as IT computes it with the recipe in docs/it-guide.md, not with the code under test. */
function pinByOpenssl(pem: string): string {
  const spki = openssl(['pkey', '-pubin', '-outform', 'der'], openssl(['x509', '-pubkey', '-noout'], Buffer.from(pem)));
  return openssl(['dgst', '-sha256', '-binary'], spki).toString('base64');
}

beforeAll(() => {
  if (!HAS_OPENSSL) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-pins-'));
  const at = (name: string) => path.join(dir, name);
  openssl(['req', '-x509', ...EC, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=Test Relay CA']);
  openssl(['req', ...EC, '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', '/CN=localhost']);
  writeFileSync(at('leaf.ext'), `${SAN}\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    at('leaf.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('leaf.ext'),
    '-out',
    at('leaf.pem'),
  ]);
  openssl(['req', '-x509', ...EC, '-keyout', at('other.key'), '-out', at('other.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', SAN]);
  pki.caCert = readFileSync(at('ca.pem'), 'utf8');
  pki.leafCert = readFileSync(at('leaf.pem'), 'utf8');
  pki.leafKey = readFileSync(at('leaf.key'), 'utf8');
  pki.otherCert = readFileSync(at('other.pem'), 'utf8');
  pki.otherKey = readFileSync(at('other.key'), 'utf8');
});

/** A TLS server with certificate B that records every byte a client sends once the handshake is done. */
async function startRecordingServer(): Promise<{ url: string; connections: () => number; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = tls.createServer({ key: pki.otherKey, cert: pki.otherCert }, (socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connection', () => void (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    received: () => Buffer.concat(chunks),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let relay: TestRelay | undefined;
let front: TcpProxy | undefined;
let other: Awaited<ReturnType<typeof startRecordingServer>> | undefined;
const devices: TestDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) await d.conn.stop();
  await other?.close();
  await front?.close();
  await relay?.stop();
  other = undefined;
  front = undefined;
  relay = undefined;
});

function device(url: string, token: string, options: Parameters<typeof testDevice>[2]): TestDevice {
  const d = testDevice(url, token, options);
  devices.push(d);
  d.conn.start();
  return d;
}

describe('relay certificate pins', () => {
  it('computes the same pin-sha256 as the openssl recipe IT uses', (ctx) => {
    if (!HAS_OPENSSL) ctx.skip('needs the openssl binary');
    for (const pem of [pki.caCert, pki.leafCert, pki.otherCert]) expect(spkiPinOf(new X509Certificate(pem).raw)).toBe(pinByOpenssl(pem));
  });

  it('connects to the pinned relay by its leaf or its CA pin, over WebSocket and long polling', async (ctx) => {
    if (!HAS_OPENSSL) ctx.skip('needs the openssl binary');
    relay = await startTestRelay({ sandbox: true });
    front = await startTcpProxy({ targetPort: relay.relay.port, tls: { key: pki.leafKey, cert: pki.leafCert } });
    const ca = `${pki.caCert}\n${pki.otherCert}`;
    const unrelated = pinByOpenssl(pki.otherCert);
    for (const pins of [[pinByOpenssl(pki.leafCert)], [unrelated, pinByOpenssl(pki.caCert)]]) {
      for (const transport of ['ws', 'poll'] as const) {
        const d = device(front.url, relay.token, { ca, pins, transport });
        await waitFor(`live over ${transport}`, () => (d.conn.isLive() ? true : undefined));
        expect(d.conn.snapshot()).toMatchObject({ tlsProblem: false, detail: null });
        await d.conn.stop();
      }
    }
  });

  it('refuses a trusted server with another certificate: tls_pin_mismatch naming the pin, no long polling, not a byte sent', async (ctx) => {
    if (!HAS_OPENSSL) ctx.skip('needs the openssl binary');
    other = await startRecordingServer();
    const pin = pinByOpenssl(pki.leafCert);
    const ca = `${pki.caCert}\n${pki.otherCert}`;
    // Without pins the same server passes TLS verification: the refusal below is the pin's, not the chain's.
    const unpinned = device(other.url, 'blt_secret_token_0001', { ca, transport: 'ws' });
    await waitFor('the unpinned request arrived', () => (other!.received().length > 0 ? true : undefined));
    await unpinned.conn.stop();
    const before = { connections: other.connections(), bytes: other.received().length };

    const d = device(other.url, 'blt_secret_token_0002', { ca, pins: [pin] }); // auto: WebSocket, falling back to polling if it could
    const refused = await waitFor('a pin mismatch', () => d.states.find((s) => s.detail?.code === 'tls_pin_mismatch'));
    expect(refused).toMatchObject({
      tlsProblem: true,
      detail: { params: { error: 'ERR_TLS_PIN_MISMATCH', expected: pin, presented: pinByOpenssl(pki.otherCert) } },
    });
    await waitFor('three refused attempts', () => (d.states.filter((s) => s.status === 'backing_off').length >= 3 ? true : undefined));
    expect(d.states.some((s) => s.transport === 'poll' || s.status === 'live')).toBe(false);

    const media = createRelayMediaClient({ agent: (url) => fixedNetwork({ ca }).agentFor(url, [pin]) });
    const download = await media.download(other.url, 'blt_secret_token_0003', 'm1');
    expect(download).toMatchObject({ ok: false, error: { message: expect.stringContaining('pinned') } });
    await d.conn.stop();

    expect(other.connections()).toBeGreaterThanOrEqual(before.connections + 4); // three attempts and the download reached it…
    expect(other.received().length).toBe(before.bytes); // …and wrote nothing over it
    expect(other.received().toString('latin1')).not.toMatch(/blt_secret_token_000[23]/);
  });

  it('refuses sign-in to a relay with another certificate as a TLS failure naming the pin, without waiting out the timeout', async (ctx) => {
    if (!HAS_OPENSSL) ctx.skip('needs the openssl binary');
    other = await startRecordingServer();
    const pin = pinByOpenssl(pki.leafCert);
    const core = createConsole({
      dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-pins-console-')),
      network: fixedNetwork({ ca: `${pki.caCert}\n${pki.otherCert}` }),
      policy: parsePolicy({ relay: { pins: [pin] } }, 'policy.json'),
      signInTimeoutMs: 10 * 60_000, // longer than the test may run: the answer must come from the mismatch itself
    });
    try {
      const result = await core.service.call('session.signIn', { relayUrl: other.url, token: 'blt_secret_token_0004' });
      expect(result).toMatchObject({ ok: false, error: { code: 'tls_failure', message: expect.stringContaining(`pin-sha256 ${pin}`) } });
      expect(core.store.session.get().relayUrl).toBeNull();
    } finally {
      await core.stop();
    }
    expect(other.received().length).toBe(0);
  });
});
