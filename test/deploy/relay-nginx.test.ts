// build/relay/nginx-relay.conf in front of a real relay, where nginx is installed: a console's WebSocket is upgraded
// through it over TLS, liveness answers, and what must not pass (the sandbox, /metrics from outside, oversized
// webhooks) stops at nginx.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_V2 } from '../../src/relay/test-support/docs-client';
import { startTestRelay, type TestRelay } from '../../src/relay/test-support/relay-harness';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NGINX = spawnSync('nginx', ['-v']).status === 0 && spawnSync('openssl', ['version']).status === 0;
const HOST = 'relay.bank.example';

let relay: TestRelay | undefined;
let nginx: ChildProcess | undefined;
let httpsPort = 0;
let ca = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Until nginx accepts connections on the port: a bounded number of tries. */
async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

function https(method: string, pathname: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpsPort, method, path: pathname, ca, servername: HOST, headers: { host: HOST } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  if (!NGINX) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-nginx-'));
  const at = (name: string) => path.join(dir, name);
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', at('relay.key'), '-out', at('relay.crt'), '-days', '1', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST},IP:127.0.0.1`,
  ]); // prettier-ignore
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  ca = readFileSync(at('relay.crt'), 'utf8');
  relay = await startTestRelay({ env: { RELAY_TRUSTED_PROXIES: '127.0.0.1' } });
  httpsPort = await freePort();
  const site = readFileSync(path.join(ROOT, 'build/relay/nginx-relay.conf'), 'utf8')
    .replace('server 127.0.0.1:8787', `server 127.0.0.1:${relay.relay.port}`)
    .replace('listen 80;', `listen 127.0.0.1:${await freePort()};`)
    .replace('listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`)
    .replace('/etc/ssl/branchline/relay.crt', at('relay.crt'))
    .replace('/etc/ssl/branchline/relay.key', at('relay.key'));
  writeFileSync(at('site.conf'), site);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${at(`${kind}-temp`)};`).join('\n');
  writeFileSync(
    at('nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${at('nginx.pid')};\nerror_log ${at('error.log')};\nevents {}\n` +
      `http {\n  access_log off;\n${temp}\n  include ${at('site.conf')};\n}\n`,
  );
  nginx = spawn('nginx', ['-p', dir, '-c', at('nginx.conf')], { stdio: 'ignore' });
  await listening(httpsPort);
});

afterAll(async () => {
  if (nginx !== undefined && nginx.exitCode === null) {
    nginx.kill('SIGQUIT');
    await new Promise((resolve) => nginx!.once('exit', resolve));
  }
  await relay?.stop();
});

describe('nginx in front of the relay (build/relay/nginx-relay.conf)', () => {
  it('upgrades a console WebSocket over TLS and the relay says hello through it', async (ctx) => {
    if (!NGINX) ctx.skip('nginx or openssl is not installed (Debian: apt-get install nginx openssl)');
    const socket = new WebSocket(`wss://127.0.0.1:${httpsPort}/v1/agent?device=through-nginx`, [PROTOCOL_V2], {
      ca,
      headers: { host: HOST, authorization: `Bearer ${relay!.token}` },
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        socket.once('message', (data: Buffer) => resolve(data.toString()));
        socket.once('error', reject);
        socket.once('close', (code) => reject(new Error(`closed ${code} before hello`)));
      });
      expect(JSON.parse(first)).toMatchObject({ type: 'hello', protocol: 2 });
    } finally {
      socket.terminate();
    }
  });

  it('answers liveness, and stops the sandbox, outside scrapers and oversized webhooks at nginx', async (ctx) => {
    if (!NGINX) ctx.skip('nginx or openssl is not installed (Debian: apt-get install nginx openssl)');
    expect(await https('GET', '/healthz')).toEqual({ status: 200, text: '{"status":"ok"}' });
    expect((await https('GET', '/sandbox/outbound?to=1')).status).toBe(404);
    expect((await https('GET', '/metrics')).status).toBe(403); // 127.0.0.1 is not the monitoring network
    expect((await https('POST', '/webhook', Buffer.alloc(4 * 1024 * 1024, 0x20))).status).toBe(413);
  });
});
