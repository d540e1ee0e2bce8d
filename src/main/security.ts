// The hardening every window, web contents and session gets: our own app:// protocol with a strict CSP,
// no navigation, no pop-ups (https links go to the browser), no <webview>, no permissions but notifications.
// The window's own webPreferences are in window-options.ts.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'branchline';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent as a header with every app:// response; frame-ancestors only works as a header, not in <meta>.
 * The page's own <meta> policy is enforced too, so this one must allow at least what it allows
 * (media-src blob: for audio clips; the test compares the two).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  'media-src blob:',
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

type Log = (event: string, fields?: Record<string, unknown>) => void;

/**
 * `scheme://host[:port]` of a URL. Not `URL.origin`, which is "null" for schemes WHATWG does not
 * know, such as our app:// (Chromium gives it a real origin because it is registered as standard).
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? null : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/** Before app ready: app:// behaves like https (standard URLs, a secure context, fetch), and is not readable cross-origin. */
export function registerAppScheme(protocol: Pick<ProtocolLike, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function refusal(status: number): Response {
  return new Response(null, { status, headers: { 'content-security-policy': CONTENT_SECURITY_POLICY } });
}

/** Serves the files under `rootDir` (out/renderer) at app://branchline/, and nothing outside it. */
export function createAppFileHandler(rootDir: string, log: Log = () => {}): (request: Request) => Promise<Response> {
  const root = path.resolve(rootDir);
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refusal(400);
    }
    if (url.host !== APP_HOST) return refusal(404);
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
    let pathname: string;
    try {
      // Encoded dots and slashes (%2e%2e%2f) are decoded here, so the containment check below sees them.
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return refusal(400);
    }
    if (pathname.includes('\0')) return refusal(400);
    const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
    const relative = path.relative(root, file);
    if (relative === '' || path.isAbsolute(relative) || relative.split(/[\\/]/)[0] === '..') {
      log('security.protocol_refused', { reason: 'outside the app folder' });
      return refusal(404);
    }
    try {
      if (!(await stat(file)).isFile()) return refusal(404);
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
        status: 200,
        headers: {
          'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-cache',
        },
      });
    } catch {
      return refusal(404);
    }
  };
}

/** https only, and no user:password@ in it (a link that hides its real host, or leaks a credential). */
export function isSafeExternalUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.username === '' && url.password === '' && url.hostname !== '';
  } catch {
    return false;
  }
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

interface Preventable {
  preventDefault(): void;
}

export interface HardenableWebContents {
  on(event: 'will-navigate', listener: (event: Preventable & { url?: string }, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Every web contents: it only ever shows our UI, so navigation, pop-ups and <webview> are refused outright. */
export function hardenWebContents(contents: HardenableWebContents, options: { shell: ShellLike; log?: Log }): void {
  const log = options.log ?? (() => {});
  contents.on('will-navigate', (event, legacyUrl) => {
    event.preventDefault();
    log('security.navigation_blocked', { origin: originOf(event.url ?? legacyUrl ?? '') });
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) {
      options.shell.openExternal(url).catch(() => log('security.open_external_failed', { origin: originOf(url) }));
    } else {
      log('security.window_open_blocked', { origin: originOf(url) });
    }
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('security.webview_blocked');
  });
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

/** Notifications for our own pages; camera, microphone, location, devices and the rest: never. */
export function hardenSession(session: SessionLike, options: { appOrigin: string; log?: Log }): void {
  const log = options.log ?? (() => {});
  const allowed = (permission: string, url: string | undefined) => permission === 'notifications' && originOf(url ?? '') === options.appOrigin;
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const granted = allowed(permission, details.requestingUrl);
    if (!granted) log('security.permission_denied', { permission });
    callback(granted);
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}

/**
 * Where the window loads from, and so the only origin the IPC bridge answers: the dev server in
 * development (loopback http only), app://branchline otherwise.
 */
export function appLocation(options: { isPackaged: boolean; devServerUrl: string | undefined }): { url: string; origin: string } {
  if (!options.isPackaged && options.devServerUrl !== undefined) {
    try {
      const dev = new URL(options.devServerUrl);
      if (dev.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(dev.hostname))
        return { url: dev.href, origin: `${dev.protocol}//${dev.host}` };
    } catch {
      // a malformed dev URL: fall through to the built app
    }
  }
  return { url: APP_ENTRY_URL, origin: APP_ORIGIN };
}

export interface SecurityOptions {
  app: { on(event: 'web-contents-created', listener: (event: unknown, contents: HardenableWebContents) => void): unknown };
  protocol: Pick<ProtocolLike, 'handle'>;
  session: SessionLike;
  shell: ShellLike;
  /** out/renderer */
  rendererDir: string;
  appOrigin: string;
  log?: Log;
}

/** After app ready: serves app://, hardens the session, and every web contents as it is created. */
export function installSecurity(options: SecurityOptions): void {
  const log = options.log ?? (() => {});
  options.protocol.handle(APP_SCHEME, createAppFileHandler(options.rendererDir, log));
  hardenSession(options.session, { appOrigin: options.appOrigin, log });
  options.app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { shell: options.shell, log }));
}
