// The relay's deployment files in build/relay checked with the tools that read them, where this machine has them:
// systemd's own verifier, nginx's config test, and the container image's file set started as an unprivileged user.
// Docker itself is not run (no daemon on CI machines); what the image would run is, from the files it would copy.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, chownSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILD = path.join(ROOT, 'build/relay');
const has = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'branchline-deploy-'));

const SYSTEMD = has('systemd-analyze', ['--version']);
const NGINX = has('nginx', ['-v']) && has('openssl', ['version']);
const ROOT_USER = process.getuid?.() === 0;

describe('build/relay/branchline-relay.service', () => {
  it('passes systemd-analyze verify with no warning', (ctx) => {
    if (!SYSTEMD) ctx.skip('systemd-analyze is not installed (Debian: apt-get install systemd)');
    let unit = readFileSync(path.join(BUILD, 'branchline-relay.service'), 'utf8');
    // The unit names Debian's node; where node lives elsewhere the verifier is shown this machine's.
    if (!existsSync('/usr/bin/node')) unit = unit.replace('/usr/bin/node', process.execPath);
    const file = path.join(freshDir(), 'branchline-relay.service');
    writeFileSync(file, unit);
    const run = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('build/relay/nginx-relay.conf', () => {
  it('passes nginx -t inside an http block', (ctx) => {
    if (!NGINX) ctx.skip('nginx or openssl is not installed (Debian: apt-get install nginx openssl)');
    const dir = freshDir();
    const key = path.join(dir, 'relay.key');
    const crt = path.join(dir, 'relay.crt');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '1',
      '-subj',
      '/CN=relay.bank.example',
    ]);
    expect(made.status).toBe(0);
    const site = readFileSync(path.join(BUILD, 'nginx-relay.conf'), 'utf8')
      .replace('/etc/ssl/branchline/relay.crt', crt)
      .replace('/etc/ssl/branchline/relay.key', key);
    writeFileSync(path.join(dir, 'site.conf'), site);
    const main = path.join(dir, 'nginx.conf');
    writeFileSync(main, `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${dir}/site.conf;\n}\n`);
    const run = spawnSync('nginx', ['-t', '-p', dir, '-c', main], { encoding: 'utf8' });
    expect(run.stderr).toContain('syntax is ok');
    expect(run.stderr).toContain('test is successful');
    expect(run.stderr).not.toMatch(/\[warn\]|\[emerg\]/);
    expect(run.status).toBe(0);
  });
});

describe('build/relay/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(BUILD, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs as a user other than root, keeps its data on a volume, and checks liveness on /healthz', () => {
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(0|root)$/);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/^ENV .*RELAY_DATA_DIR=\/data/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/m);
  });

  it('its files start the relay as an unprivileged user who can write nothing but the data folder', async (ctx) => {
    if (!ROOT_USER) ctx.skip('runs the relay as user nobody, which needs root to switch to');
    // The runtime stage's COPY lines (node_modules aside), copied as the image would, less what .dockerignore drops.
    const app = freshDir();
    chmodSync(app, 0o755); // root's and readable, as /app in the image
    const ignored = (file: string) => file.endsWith('.test.ts') || file.includes(`${path.sep}test-support`);
    for (const [, from, to] of runtime.matchAll(/^COPY (?!--from)(\S+) (\S+)$/gm)) {
      const target = to!.endsWith('/') ? path.join(app, to!, path.basename(from!)) : path.join(app, to!);
      cpSync(path.join(ROOT, from!), target, { recursive: true, filter: (file) => !ignored(file) });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
    expect(readdirSync(path.join(app, 'src')).sort()).toEqual(['node-shared', 'relay', 'shared']);
    const volume = freshDir();
    chmodSync(volume, 0o755);
    const data = path.join(volume, 'data');
    mkdirSync(data, { mode: 0o700 });
    chownSync(data, 65534, 65534);
    const imageEnv = Object.fromEntries([.../^ENV (.*)$/m.exec(runtime)![1]!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    const entry = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(runtime)![1]!) as string[];
    const child = spawn(process.execPath, [...entry.slice(1), '--port', '0', '--host', '127.0.0.1'], {
      cwd: app,
      uid: 65534,
      gid: 65534,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        ...imageEnv,
        RELAY_DATA_DIR: data,
        WHATSAPP_APP_SECRET: 'image-test-app-secret',
        WHATSAPP_VERIFY_TOKEN: 'image-test-verify',
        WHATSAPP_ACCESS_TOKEN: 'image-test-access',
        WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
        WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const first = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string | undefined;
      expect(first ?? stderr.slice(0, 400)).toMatch(/^relay listening on http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${first!.replace('relay listening on ', '')}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(existsSync(path.join(data, 'relay.db'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(stderr).toContain('"event":"relay.stopped"');
  });
});
