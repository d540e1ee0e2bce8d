// Keeps a device session alive: the access token in memory only, the refresh token in the TokenStore, a silent
// refresh at two-thirds of the access lifetime, one refresh and reconnect after a 4001, and "sign in again" when
// the relay refuses to refresh (what is queued stays queued).
import type { Clock } from '../../shared/clock';
import type { AppError, Result } from '../../shared/errors';
import type { LinkManager } from './link-manager';
import { agentKey, type LinkOwner } from './link-owner';
import type { AuthClient, AuthTokens } from './relay-auth-client';
import type { LocalStore } from './local-store';
import type { TokenStore } from './session-service';

/** Refresh tokens carry this prefix (docs/protocol.md); anything else a store holds is a static agent token of old. */
export const REFRESH_PREFIX = 'blr_';
const MIN_REFRESH_DELAY_MS = 5_000;
/**
 * A refresh whose answer was lost is retried with the same refresh token, which the relay takes as a retry only within
 * a minute of the attempt before (docs/protocol.md): backing off further would turn a flaky link into a sign-out.
 */
const MAX_RETRY_DELAY_MS = 30_000;
/** The longest a relay's Retry-After is waited out before asking again. */
const MAX_ASKED_WAIT_MS = 5 * 60_000;
const FIRST_RETRY_DELAY_MS = 2_000;
/** The relay's answers that mean this refresh token will never work (spent, revoked, expired, another device's). */
const ENDS_SESSION: ReadonlySet<string> = new Set(['unauthorized', 'forbidden', 'invalid_input']);

export interface DeviceSessionDeps {
  auth: AuthClient;
  tokens: TokenStore;
  links: LinkManager;
  store: LocalStore;
  clock: Clock;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Session.signInAgain (or signedIn) changed: the UI hears session.changed. */
  changed: () => void;
}

export class DeviceSession {
  private relayUrl: string | null = null;
  private refreshToken: string | null = null;
  private owner: LinkOwner | null = null;
  private cancelTimer: () => void = () => {};
  private inflight: Promise<Result<AuthTokens>> | null = null;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  /** A 4001 already led to one refresh and reconnect; another before the link is live means the session is gone. */
  private refreshedForRefusal = false;
  private mustSignInAgain = false;
  /** Monotonic ms before which the relay asked not to be asked again (a 429's Retry-After); 0 when it did not. */
  private notBeforeMono = 0;

  constructor(private readonly deps: DeviceSessionDeps) {}

  /** The relay refused to refresh: the agent signs in again (Session.signInAgain). */
  get signInAgain(): boolean {
    return this.mustSignInAgain;
  }

  /** A device session is held (false for a relay without device sessions, signed out, or after it ended). */
  get active(): boolean {
    return this.refreshToken !== null;
  }

  /** A sign-in was answered with Tokens and its link is live: keep the refresh token, refresh before expiry. */
  async adopt(relayUrl: string, tokens: AuthTokens, owner: LinkOwner): Promise<void> {
    this.relayUrl = relayUrl;
    this.owner = owner;
    this.mustSignInAgain = false;
    this.refreshedForRefusal = false;
    await this.keep(tokens);
  }

  /** Signed in the old way (a relay without /v1/auth): nothing to refresh, and the static token is not stored. */
  async adoptLegacy(): Promise<void> {
    this.reset();
    this.mustSignInAgain = false;
    await this.deps.tokens.clear();
  }

  /** At start: the stored refresh token buys a new pair; a relay that is not reachable yet is asked again later. */
  async resume(relayUrl: string, refreshToken: string): Promise<void> {
    this.relayUrl = relayUrl;
    this.refreshToken = refreshToken;
    const result = await this.refresh();
    if (!result.ok && this.active) this.deps.links.awaitSession(); // unreachable: a retry is scheduled
    if (!result.ok || this.owner === null) return; // refused: signInAgain is set
    this.deps.links.open(relayUrl, result.value.accessToken, this.owner);
  }

  /** The network came back: a refresh that was put off is tried now rather than after its backoff. */
  networkBack(): void {
    if (this.active && this.inflight === null && this.retryDelayMs > FIRST_RETRY_DELAY_MS && this.askedToWaitMs() === 0) this.schedule(0);
  }

  /** The link was refused (close 4001, HTTP 401): one refresh and a reconnect; a second refusal ends the session. */
  credentialsRefused(): void {
    if (!this.active || this.mustSignInAgain) return;
    if (this.refreshedForRefusal) {
      this.deps.log('session.refused_after_refresh');
      void this.end('refused');
      return;
    }
    this.refreshedForRefusal = true;
    // Throttled a moment ago: the refresh waits what the relay asked (the link waits for its new token meanwhile).
    const wait = this.askedToWaitMs();
    if (wait > 0) this.schedule(wait);
    else void this.refresh();
  }

  /** The link is live again: a later refusal is worth one more refresh. */
  linkLive(): void {
    this.refreshedForRefusal = false;
  }

  /** Sign-out: the relay revokes the session (best effort: offline is fine), then nothing of it is kept here. */
  async signOut(relayUrl: string | null, accessToken: string | null): Promise<void> {
    const refreshToken = this.refreshToken;
    this.reset();
    this.mustSignInAgain = false;
    if (relayUrl !== null && (accessToken !== null || refreshToken !== null)) {
      const credential = accessToken !== null ? { accessToken } : { refreshToken: refreshToken! };
      const result = await this.deps.auth.logout(relayUrl, credential);
      if (!result.ok) this.deps.log('session.logout_failed', { code: result.error.code });
    }
  }

  /** Stops timers (the console stops); the stored refresh token stays for the next start. */
  stop(): void {
    this.cancelTimer();
  }

  /** One refresh at a time: a second one with the same (spent) refresh token would revoke the whole session. */
  refresh(): Promise<Result<AuthTokens>> {
    this.inflight ??= this.refreshOnce().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async refreshOnce(): Promise<Result<AuthTokens>> {
    const { relayUrl, refreshToken } = this;
    if (relayUrl === null || refreshToken === null) return { ok: false, error: { code: 'unauthorized', message: 'no device session', retryable: false } };
    this.cancelTimer();
    const result = await this.deps.auth.refresh(relayUrl, refreshToken, this.deps.store.session.get().deviceId);
    if (this.refreshToken !== refreshToken) return result; // signed out meanwhile: what came back is not kept
    if (result.ok) {
      this.deps.log('session.refreshed');
      await this.keep(result.value);
      this.deps.links.setToken(result.value.accessToken);
      // A link the relay refused (4001) waits for a new token: it has one now, whether this refresh came at once or later.
      if (this.deps.links.status === 'credentials_needed') this.deps.links.retryNow();
    } else if (ENDS_SESSION.has(result.error.code)) {
      await this.end(result.error.code);
    } else {
      this.retryLater(result.error); // offline, slow, throttled, a certificate problem: the session may still be good
    }
    return result;
  }

  private async keep(tokens: AuthTokens): Promise<void> {
    this.refreshToken = tokens.refreshToken;
    this.owner ??= { key: agentKey(tokens.agent.id) };
    this.retryDelayMs = FIRST_RETRY_DELAY_MS;
    this.notBeforeMono = 0;
    await this.deps.tokens.save(tokens.refreshToken);
    // About two-thirds of the lifetime: early enough for a slow network, late enough not to churn.
    const delay = Math.max(MIN_REFRESH_DELAY_MS, Math.floor((tokens.accessLifetimeMs * 2) / 3));
    this.schedule(delay);
  }

  private retryLater(error: AppError): void {
    // A throttled relay (429) said how long to wait: asking sooner would only be refused again, and count against us.
    const asked = 'retryAfterMs' in error && typeof error.retryAfterMs === 'number' ? error.retryAfterMs : 0;
    const delayMs = Math.max(this.retryDelayMs, Math.min(MAX_ASKED_WAIT_MS, asked));
    if (asked > 0) this.notBeforeMono = this.deps.clock.monotonicNow() + delayMs;
    this.deps.log('session.refresh_deferred', { code: error.code, delayMs });
    this.schedule(delayMs);
    this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2);
  }

  private askedToWaitMs(): number {
    return Math.max(0, this.notBeforeMono - this.deps.clock.monotonicNow());
  }

  private schedule(delayMs: number): void {
    this.cancelTimer();
    this.cancelTimer = this.deps.clock.setTimer(delayMs, () => {
      const wasClosed = !this.deps.links.isOpen;
      void this.refresh().then((result) => {
        // A start that could not reach the relay: now the link can open.
        if (result.ok && wasClosed && this.relayUrl !== null && this.owner !== null) this.deps.links.open(this.relayUrl, result.value.accessToken, this.owner);
      });
    });
  }

  /** The session cannot be refreshed: stop, keep the cache and the queue, and ask the agent to sign in again. */
  private async end(reason: string): Promise<void> {
    this.deps.log('session.sign_in_again', { reason });
    this.reset();
    this.mustSignInAgain = true;
    await this.deps.links.endSession();
    await this.deps.tokens.clear();
    this.deps.changed();
  }

  private reset(): void {
    this.cancelTimer();
    this.cancelTimer = () => {};
    this.refreshToken = null;
    this.owner = null;
    this.inflight = null;
    this.refreshedForRefusal = false;
  }
}
