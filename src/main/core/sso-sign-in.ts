// Single sign-on for a native app (RFC 8252): the provider's page in the system browser, its answer on a loopback
// redirect (or the web preview's own /sso/callback), the code handed to the relay, which issues the device session.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../shared/clock';
import type { SsoOutcome } from '../../shared/contract';
import type { AppError } from '../../shared/errors';
import type { Emit } from './event-bus';
import type { AuthClient, AuthTokens } from './relay-auth-client';
import { ServiceError } from './service-types';

/** How long the browser may take: the provider's MFA included. */
export const SSO_WAIT_MS = 5 * 60_000;

/** What the provider's redirect brings back (query parameters). */
export interface SsoCallback {
  code: string | null;
  state: string | null;
  error: string | null;
}

export interface SsoSignInDeps {
  auth: AuthClient;
  deviceId: () => string;
  clock: Clock;
  emit: Emit;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Opens a URL in the system browser (Electron: shell.openExternal); absent, the UI opens it. */
  openExternal?: (url: string) => Promise<void>;
  /** The host's own callback address (the web preview's /sso/callback); absent, a loopback listener is started. */
  redirectUri?: () => string;
  /** Opens the link with the session; throws a ServiceError when the relay does not let the agent in. */
  complete: (relayUrl: string, tokens: AuthTokens) => Promise<void>;
}

interface Pending {
  relayUrl: string;
  state: string;
  cancelTimer: () => void;
  listener: Server | null;
}

/** The provider's redirect as it reached a callback URL. */
export const callbackOf = (url: URL): SsoCallback => ({
  code: url.searchParams.get('code'),
  state: url.searchParams.get('state'),
  error: url.searchParams.get('error'),
});

export class SsoSignIn {
  private pending: Pending | null = null;

  constructor(private readonly deps: SsoSignInDeps) {}

  async start(relayUrl: string): Promise<{ authorizationUrl: string; opened: boolean }> {
    this.cancel();
    const listener = this.deps.redirectUri === undefined ? await listenOnLoopback((params) => this.callback(params)) : null;
    const redirectUri = listener === null ? this.deps.redirectUri!() : `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
    const started = await this.deps.auth.ssoStart(relayUrl, redirectUri, this.deps.deviceId());
    if (!started.ok) {
      closeSoon(listener);
      throw refusal(started.error, 'start');
    }
    const cancelTimer = this.deps.clock.setTimer(SSO_WAIT_MS, () => this.giveUp('timeout', 'The sign-in page was not completed within 5 minutes.'));
    this.pending = { relayUrl, state: started.value.state, cancelTimer, listener };
    const { authorizationUrl } = started.value;
    let opened = false;
    if (listener !== null && this.deps.openExternal !== undefined && /^https?:$/.test(new URL(authorizationUrl).protocol)) {
      await this.deps.openExternal(authorizationUrl);
      opened = true;
    }
    this.deps.log('session.sso_started', { opened });
    return { authorizationUrl, opened };
  }

  /** The agent gave up: a late answer from the browser is refused. */
  cancel(): void {
    if (this.pending === null) return;
    this.deps.log('session.sso_cancelled');
    this.drop();
  }

  /** The browser came back from the provider. The answer is what its page says; the UI hears `session.sso`. */
  async callback(params: SsoCallback): Promise<SsoOutcome> {
    const pending = this.pending;
    if (pending === null) return outcome('not_found', 'No sign-in is waiting here: start it again from Branchline.');
    // One answer per attempt: whatever follows, this state cannot be used again.
    this.drop();
    if (params.state !== pending.state) {
      this.deps.log('session.sso_state_mismatch');
      return this.tell(outcome('forbidden', 'This answer does not belong to the sign-in started here, so it was refused. Start it again from Branchline.'));
    }
    if (params.error !== null || params.code === null) {
      const reason = params.error === null ? 'no_code' : params.error.replace(/[^a-z0-9_]/gi, '').slice(0, 64);
      this.deps.log('session.sso_provider_refused', { reason });
      return this.tell(outcome('unauthorized', `The sign-in was not completed at your organisation's sign-in page (${reason}).`));
    }
    const finished = await this.deps.auth.ssoFinish(pending.relayUrl, { state: params.state, code: params.code }, this.deps.deviceId());
    if (!finished.ok) return this.tell(outcome(finished.error.code, refusal(finished.error, 'finish').message));
    try {
      await this.deps.complete(pending.relayUrl, finished.value);
    } catch (error) {
      if (error instanceof ServiceError) return this.tell(outcome(error.code, error.message));
      throw error;
    }
    this.deps.log('session.sso_signed_in');
    return this.tell({ ok: true, code: null, message: null });
  }

  private giveUp(code: string, message: string): void {
    if (this.pending === null) return;
    this.drop();
    this.tell(outcome(code, message));
  }

  private drop(): void {
    const pending = this.pending;
    this.pending = null;
    pending?.cancelTimer();
    closeSoon(pending?.listener ?? null);
  }

  private tell(result: SsoOutcome): SsoOutcome {
    this.deps.emit('session.sso', result);
    return result;
  }
}

const outcome = (code: string, message: string): SsoOutcome => ({ ok: false, code, message });

/** The relay's refusal in the agent's words (its message says which check failed; it never holds a credential). */
function refusal(error: AppError, step: 'start' | 'finish'): ServiceError {
  switch (error.code) {
    case 'not_found':
      return new ServiceError('not_found', 'Single sign-on is not set up on this relay. Sign in with your agent token, or ask IT.');
    case 'forbidden':
      return new ServiceError(
        'forbidden',
        step === 'start' ? error.message : `You are signed in at your organisation, but not as a Branchline agent (${error.message}).`,
      );
    case 'unauthorized':
      return new ServiceError('unauthorized', `The relay did not accept this sign-in (${error.message}). Try again.`);
    case 'rate_limited':
      return new ServiceError('rate_limited', `Too many sign-in attempts: ${error.message}`);
    default:
      return new ServiceError(error.retryable ? 'unavailable' : error.code, `Single sign-on could not go on: ${error.message}`);
  }
}

/** The page the browser shows at the end: what happened, never the code, the state or a token. */
export function answerPage(result: SsoOutcome): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const title = result.ok ? 'Signed in to Branchline — you can close this tab' : 'Branchline sign-in did not complete';
  const body = result.ok ? 'Return to Branchline.' : escape(result.message ?? 'Start the sign-in again from Branchline.');
  return `<!doctype html><meta charset="utf-8"><title>Branchline</title><h1>${title}</h1><p>${body}</p>`;
}

/** 127.0.0.1 on a free port, `/callback` only (RFC 8252 §7.3); anything else is 404. */
async function listenOnLoopback(handle: (params: SsoCallback) => Promise<SsoOutcome>): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'content-length': '0' }).end();
      return;
    }
    void handle(callbackOf(url))
      .catch((): SsoOutcome => outcome('internal', 'Branchline could not finish the sign-in. Try again.'))
      .then((result) => {
        const page = answerPage(result);
        res.writeHead(result.ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end(page);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

/** Closes after the answer page went out (the request that ends the attempt is still being answered). */
function closeSoon(server: Server | null): void {
  if (server === null) return;
  server.close();
  setTimeout(() => server.closeAllConnections(), 1_000).unref();
}
