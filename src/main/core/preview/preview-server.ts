// The web preview's server: the built renderer and the console service over a loopback WebSocket.
// Everything needs the per-run token (a query parameter once, then an HttpOnly cookie); nothing binds beyond 127.0.0.1.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseCallFrame } from '../../../shared/bridge-frames';
import type { ConsoleEvent, EventPayload, SsoOutcome, WireResult } from '../../../shared/contract';
import { secretsEqual } from '../../../node-shared/secret-compare';
import type { ConsoleService } from '../console-service';
import { answerPage, callbackOf, type SsoCallback } from '../sso-sign-in';

const COOKIE = 'branchline_preview';
/** The largest call: a 100 MB file as base64, plus the envelope. */
const MAX_CALL_BYTES = 140 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface PreviewServer {
  /** The address to open, token included. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function sameToken(candidate: string | null | undefined, token: string): boolean {
  if (candidate === null || candidate === undefined) return false;
  return secretsEqual(candidate, token);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

export async function startPreviewServer(options: {
  service: ConsoleService;
  staticDir: string;
  token: string;
  port: number;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Single sign-on comes back here (/sso/callback): the console finishes it, then the page goes back to the console. */
  ssoCallback?: (params: SsoCallback) => Promise<SsoOutcome>;
}): Promise<PreviewServer> {
  const { service, token, log } = options;
  const root = path.resolve(options.staticDir);
  const authorized = (req: IncomingMessage, url: URL) => sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token);

  function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const pathname = decodeURIComponent(url.pathname);
    const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
    if (!file.startsWith(root + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "frame-ancestors 'none'",
    };
    // Exchange the URL's token for a cookie, so the assets and the socket carry it without showing it again.
    if (sameToken(url.searchParams.get('token'), token)) headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
    void req;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Reached from the provider's site, so without the SameSite cookie: the one-use state is what guards it.
    if (url.pathname === '/sso/callback' && req.method === 'GET' && options.ssoCallback !== undefined) {
      void options.ssoCallback(callbackOf(url)).then((result) => {
        // A same-site step back to `/` (the cookie goes with it; a redirect from the provider's site would not carry it).
        const page = result.ok ? '<!doctype html><meta http-equiv="refresh" content="0;url=/"><title>Branchline</title>' : answerPage(result);
        res.writeHead(result.ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end(page);
      });
      return;
    }
    if (!authorized(req, url) || req.method !== 'GET') {
      res.writeHead(403, { 'content-length': '0' }).end(); // nothing, not even a hint
      return;
    }
    serveStatic(req, res, url);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/bridge' || !authorized(req, url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws));
  });

  function bridge(ws: WebSocket): void {
    const unsubscribe = service.on(<E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'event', event, payload }));
    });
    ws.on('message', (data, isBinary) => {
      void (async () => {
        const frame = isBinary ? null : parseCallFrame(data.toString());
        if (frame === null) {
          ws.send(JSON.stringify({ type: 'error', message: 'expected {"type":"call","id":<number>,"method":…,"input":…}' }));
          return;
        }
        // The service parses method and input against the contract, exactly as the Electron bridge does.
        const result: WireResult<unknown> = await service.call(frame.method, frame.input);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: frame.id, result }));
      })();
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => unsubscribe());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  log('preview.listening', { port });
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
