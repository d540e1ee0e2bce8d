import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  appLocation,
  createAppFileHandler,
  hardenSession,
  hardenWebContents,
  installSecurity,
  isSafeExternalUrl,
  originOf,
  registerAppScheme,
} from './security';
import { FakeApp, FakeProtocol, FakeSession, FakeShell, FakeWebContents, fakeEvent } from './test-support/fake-electron';

const dir = mkdtempSync(path.join(tmpdir(), 'branchline-security-'));
const rendererDir = path.join(dir, 'out', 'renderer');

beforeAll(() => {
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Branchline</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  // What a traversal would be after: a secret beside the app folder, and one far outside it.
  writeFileSync(path.join(dir, 'out', 'secret.txt'), 'TOKEN=blt_secret');
  writeFileSync(path.join(dir, 'secret.txt'), 'TOKEN=blt_secret');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the app:// protocol', () => {
  it('is registered as privileged standard + secure, before ready', () => {
    const protocol = new FakeProtocol();
    registerAppScheme(protocol);
    expect(protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(protocol.privileged[0]?.privileges).not.toHaveProperty('bypassCSP');
    expect(protocol.privileged[0]?.privileges).not.toHaveProperty('corsEnabled');
  });

  it('serves index.html at / and files under out/renderer, with their type', async () => {
    const handler = createAppFileHandler(rendererDir);
    const index = await handler(new Request('app://branchline/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>Branchline</title>');
    const script = await handler(new Request('app://branchline/assets/index-abc.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends the strict CSP header with every answer', async () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const handler = createAppFileHandler(rendererDir);
    for (const url of ['app://branchline/index.html', 'app://branchline/missing.js']) {
      expect((await handler(new Request(url))).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('allows what the page’s own <meta> policy allows (both are enforced), and no script or style source beyond self', () => {
    const html = readFileSync(path.resolve('src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const directives = (policy: string) =>
      new Map(
        policy
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name = '', ...sources]) => [name, sources.sort()]),
      );
    const header = directives(CONTENT_SECURITY_POLICY);
    for (const [name, sources] of directives(meta ?? '')) expect([name, header.get(name)]).toEqual([name, sources]);
    expect(header.get('script-src')).toEqual(["'self'"]);
    expect(header.get('style-src')).toEqual(["'self'"]);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it.each([
    'app://branchline/../secret.txt',
    'app://branchline/%2e%2e/secret.txt',
    'app://branchline/%2e%2e%2fsecret.txt',
    'app://branchline/..%2f..%2fsecret.txt',
    'app://branchline/assets/..%2f..%2f..%2fsecret.txt',
    'app://branchline/..%5c..%5csecret.txt',
    'app://branchline/%2F..%2F..%2Fsecret.txt',
    `app://branchline/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
  ])('refuses %s without reading outside out/renderer', async (url) => {
    const handler = createAppFileHandler(rendererDir);
    const answer = await handler(new Request(url));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await answer.text()).not.toContain('blt_secret');
  });

  it('refuses other hosts, folders, bad encodings, NUL bytes and writes', async () => {
    const handler = createAppFileHandler(rendererDir);
    expect((await handler(new Request('app://evil/index.html'))).status).toBe(404);
    expect((await handler(new Request('app://branchline/assets'))).status).toBe(404);
    expect((await handler(new Request('app://branchline/%E0%A4%A'))).status).toBe(400);
    expect((await handler(new Request('app://branchline/index.html%00.png'))).status).toBe(400);
    expect((await handler(new Request('app://branchline/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('every web contents', () => {
  function hardened() {
    const contents = new FakeWebContents();
    const shell = new FakeShell();
    const log = vi.fn();
    hardenWebContents(contents, { shell, log });
    return { contents, shell, log };
  }

  it('cannot navigate anywhere (will-navigate is prevented)', () => {
    const { contents } = hardened();
    for (const url of ['https://evil.example/', 'app://branchline/other.html', 'file:///etc/passwd']) {
      const event = { ...fakeEvent(), url };
      contents.emit('will-navigate', event, url);
      expect(event.defaultPrevented).toBe(true);
    }
  });

  it('denies every window.open, and opens only https links in the browser', () => {
    const { contents, shell } = hardened();
    const open = (url: string) => contents.windowOpenHandler?.({ url });
    for (const url of [
      'https://bank.example/help',
      'http://bank.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://share/x',
      'https://user:pass@bank.example/',
      'not a url',
    ]) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(shell.opened).toEqual(['https://bank.example/help']);
  });

  it('refuses to attach a <webview>', () => {
    const { contents } = hardened();
    const event = fakeEvent();
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });

  it('applies to every web contents the app creates once security is installed', async () => {
    const app = new FakeApp();
    const protocol = new FakeProtocol();
    const session = new FakeSession();
    installSecurity({ app, protocol, session, shell: new FakeShell(), rendererDir, appOrigin: APP_ORIGIN });
    const contents = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent(), contents);
    const event = fakeEvent();
    contents.emit('will-navigate', event, 'https://evil.example/');
    expect(event.defaultPrevented).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://x.example/' })).toEqual({ action: 'deny' });
    expect((await protocol.fetch('app://branchline/index.html')).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(session.permissionRequestHandler).not.toBeNull();
  });
});

describe('session permissions', () => {
  it('denies camera, microphone, location and the rest, but allows notifications for our app', () => {
    const session = new FakeSession();
    hardenSession(session, { appOrigin: APP_ORIGIN });
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'midiSysex', 'openExternal', 'display-capture', 'hid', 'fullscreen']) {
      expect(session.requestPermission(permission, 'app://branchline/index.html')).toBe(false);
    }
    expect(session.requestPermission('notifications', 'app://branchline/index.html')).toBe(true);
    expect(session.requestPermission('notifications', 'https://evil.example/')).toBe(false);
    expect(session.permissionCheckHandler?.(null, 'notifications', 'app://branchline', {})).toBe(true);
    expect(session.permissionCheckHandler?.(null, 'media', 'app://branchline', {})).toBe(false);
    expect(session.devicePermissionHandler?.({})).toBe(false);
  });
});

describe('where the app loads from', () => {
  it('is app://branchline when packaged, whatever the environment says', () => {
    expect(appLocation({ isPackaged: true, devServerUrl: 'http://localhost:5173/' })).toEqual({
      url: 'app://branchline/index.html',
      origin: 'app://branchline',
    });
  });

  it('is the dev server in development, on loopback only', () => {
    expect(appLocation({ isPackaged: false, devServerUrl: 'http://localhost:5173/' })).toEqual({
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    });
    expect(appLocation({ isPackaged: false, devServerUrl: 'http://evil.example:5173/' }).origin).toBe(APP_ORIGIN);
    expect(appLocation({ isPackaged: false, devServerUrl: undefined }).origin).toBe(APP_ORIGIN);
  });
});

describe('helpers', () => {
  it.each([
    ['app://branchline/index.html', 'app://branchline'],
    ['http://localhost:5173/', 'http://localhost:5173'],
    ['file:///etc/passwd', null],
    ['not a url', null],
  ])('originOf(%s) is %s', (url, origin) => expect(originOf(url)).toBe(origin));

  it.each([
    ['https://bank.example/a?b=c', true],
    ['http://bank.example/', false],
    ['https://user@bank.example/', false],
    ['mailto:agent@bank.example', false],
  ])('isSafeExternalUrl(%s) is %s', (url, safe) => expect(isSafeExternalUrl(url)).toBe(safe));
});
