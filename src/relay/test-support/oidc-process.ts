// The sandbox's OpenID provider as its own process for tests (`npm run oidc-sandbox`) on a free 127.0.0.1 port, and a
// browserless sign-in: fetch with a cookie jar follows its redirects and posts its login form, as a browser would.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(REPO, 'src/relay/sandbox/oidc-sandbox-cli.ts');

export interface OidcProcess {
  readonly issuer: string;
  readonly clientId: string;
  readonly password: string;
  /** stderr lines, for a failure's message. */
  readonly log: string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts the provider and resolves once its discovery document answers. */
export async function startOidcProcess(dataDir: string, ttl: { codeSeconds?: number; tokenSeconds?: number } = {}): Promise<OidcProcess> {
  const port = await freePort();
  const args = ['--import', 'tsx', CLI, '--port', String(port), '--data', dataDir];
  if (ttl.codeSeconds !== undefined) args.push('--code-ttl', String(ttl.codeSeconds));
  if (ttl.tokenSeconds !== undefined) args.push('--token-ttl', String(ttl.tokenSeconds));
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void log.push(...chunk.split('\n').filter((l) => l !== '')));
  const stop = (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        });
  const issuer = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (child.exitCode !== null) break;
    const answer = await fetch(`${issuer}/.well-known/openid-configuration`).catch(() => null);
    if (answer?.ok === true) return { issuer, clientId: 'branchline-console', password: 'branchline-demo', log, stop };
    await sleep(200);
  }
  await stop();
  throw new Error(`the OpenID provider process did not answer discovery: ${log.slice(-5).join(' | ')}`);
}

/** Where the provider sent the browser back to: the console's loopback redirect with code and state (or an error). */
export interface LoginOutcome {
  readonly code: string | null;
  readonly state: string | null;
  readonly error: string | null;
}

/**
 * Opens `authorizationUrl`, signs in on the provider's login page with `username`/`password`, and follows redirects
 * until the browser would leave the provider (bounded: 20 hops). A wrong password ends with error `login_failed`.
 */
export async function browserlessLogin(authorizationUrl: string, username: string, password: string): Promise<LoginOutcome> {
  const provider = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  let request: { url: string; method: 'GET' | 'POST'; body?: string } = { url: authorizationUrl, method: 'GET' };
  for (let hop = 0; hop < 20; hop += 1) {
    const answer = await fetch(request.url, {
      method: request.method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(request.body !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(request.body !== undefined && { body: request.body }),
    });
    for (const line of answer.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400 && location !== null) {
      const next = new URL(location, request.url);
      if (next.origin !== provider) {
        return { code: next.searchParams.get('code'), state: next.searchParams.get('state'), error: next.searchParams.get('error') };
      }
      request = { url: next.href, method: 'GET' };
      continue;
    }
    const page = await answer.text();
    if (request.method === 'POST') return { code: null, state: null, error: 'login_failed' };
    const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
    if (action === undefined) return { code: null, state: null, error: `unexpected page (${answer.status})` };
    request = { url: new URL(action, request.url).href, method: 'POST', body: new URLSearchParams({ username, password }).toString() };
  }
  return { code: null, state: null, error: 'too many redirects' };
}
