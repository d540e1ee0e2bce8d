// Signing in and out: which relay, which agent, the device session kept between starts, and what machine policy fixes.
import type { Clock } from '../../shared/clock';
import type { AuthMethods, Session } from '../../shared/contract';
import { DeviceSession, REFRESH_PREFIX } from './device-session';
import type { HandlersOf } from './console-service';
import type { Emit } from './event-bus';
import type { LinkManager } from './link-manager';
import { agentKey, tokenKey, type LinkOwner } from './link-owner';
import type { LocalStore } from './local-store';
import { refusedPlainRelayHost } from './domain/relay-transport-rule';
import type { AuthClient, AuthTokens } from './relay-auth-client';
import { ServiceError } from './service-types';
import { SsoSignIn, type SsoSignInDeps } from './sso-sign-in';

/**
 * Where the device session's refresh token is kept between starts (Electron: safeStorage; headless and preview:
 * memory). A store from before device sessions may still hold a static agent token: it is exchanged once at start.
 */
export interface TokenStore {
  load(): Promise<string | null>;
  save(token: string): Promise<void>;
  clear(): Promise<void>;
}

/** A token store that lives as long as the process (the headless runner, the web preview, tests). */
export function memoryTokenStore(initial: string | null = null): TokenStore {
  let saved = initial;
  return {
    load: async () => saved,
    save: async (token) => void (saved = token),
    clear: async () => void (saved = null),
  };
}

export interface SessionPolicy {
  relayUrl?: string;
  /** IT fixed the relay: the sign-in screen does not offer another. */
  relayUrlLocked?: boolean;
  /** Machine policy lets the token go to a plain ws:// or http:// relay on another computer (relay.allowInsecure). */
  allowInsecure?: boolean;
}

export interface SessionServiceDeps {
  store: LocalStore;
  links: LinkManager;
  tokens: TokenStore;
  clock: Clock;
  emit: Emit;
  log: (event: string, fields?: Record<string, unknown>) => void;
  policy: SessionPolicy;
  /** How long sign-in waits for the relay to answer (default 15 s). */
  signInTimeoutMs?: number;
  auth: AuthClient;
  /** Single sign-on's browser: the system browser, or the host's own callback (the web preview). */
  sso?: Pick<SsoSignInDeps, 'openExternal' | 'redirectUri'>;
}

type Outcome = 'ok' | 'credentials' | 'unreachable';

export class SessionService {
  readonly device: DeviceSession;
  readonly sso: SsoSignIn;

  constructor(private readonly deps: SessionServiceDeps) {
    this.device = new DeviceSession({ ...deps, changed: () => deps.emit('session.changed', this.session()) });
    this.sso = new SsoSignIn({
      ...deps.sso,
      auth: deps.auth,
      clock: deps.clock,
      emit: deps.emit,
      log: deps.log,
      deviceId: () => deps.store.session.get().deviceId,
      complete: async (relayUrl, tokens) =>
        void (await this.connect(relayUrl, { access: tokens.accessToken, tokens, owner: { key: agentKey(tokens.agent.id) } })),
    });
  }

  readonly handlers: HandlersOf<'session.get' | 'session.signIn' | 'session.signOut' | 'session.authMethods' | 'session.ssoStart' | 'session.ssoCancel'> = {
    'session.get': async () => this.session(),
    'session.signIn': async ({ relayUrl, token }) => this.signIn(relayUrl, token),
    'session.authMethods': async ({ relayUrl }) => this.authMethods(relayUrl),
    'session.ssoStart': async ({ relayUrl }) => {
      this.checkRelay(relayUrl);
      return this.sso.start(relayUrl);
    },
    'session.ssoCancel': async () => {
      this.sso.cancel();
      return { ok: true };
    },
    'session.signOut': async ({ queued = 'keep' }) => this.signOut(queued),
  };

  /** Resumes the saved session, if any: the agent does not sign in again after a restart. */
  async resume(): Promise<void> {
    const { relayUrl, deviceId } = this.deps.store.session.get();
    const saved = await this.deps.tokens.load();
    if (relayUrl === null || saved === null) return this.deps.links.emitState();
    if (saved.startsWith(REFRESH_PREFIX)) return this.device.resume(relayUrl, saved);
    // A static agent token (stored before device sessions, or the headless agent's): exchanged, never kept.
    const exchanged = await this.deps.auth.signIn(relayUrl, saved, deviceId);
    if (exchanged.ok) {
      this.deps.links.open(relayUrl, exchanged.value.accessToken, this.ownerOf(exchanged.value, saved));
      await this.device.adopt(relayUrl, exchanged.value, this.ownerOf(exchanged.value, saved));
      return;
    }
    // An older relay takes the token directly; any other answer is the relay's to give on the socket, as before.
    if (exchanged.error.code === 'not_found') await this.device.adoptLegacy();
    else this.deps.log('session.exchange_failed', { code: exchanged.error.code });
    this.deps.links.open(relayUrl, saved);
  }

  /** What the relay at this address accepts; a relay from before device sessions takes the agent token only. */
  private async authMethods(relayUrl: string): Promise<AuthMethods> {
    this.checkRelay(relayUrl);
    const config = await this.deps.auth.config(relayUrl);
    if (!config.ok) {
      if (config.error.code === 'not_found') return { sso: false, token: true, ssoIssuer: null };
      throw new ServiceError(config.error.retryable ? 'unavailable' : config.error.code, `Could not reach the relay at ${relayUrl}.`);
    }
    const { methods, sso } = config.value;
    return { sso: methods.includes('sso'), token: methods.includes('token'), ssoIssuer: sso?.issuer ?? null };
  }

  private ownerOf(tokens: AuthTokens, agentToken: string): LinkOwner {
    return { key: agentKey(tokens.agent.id), formerKeys: [tokenKey(agentToken)] };
  }

  session(): Session {
    const saved = this.deps.store.session.get();
    const signInAgain = this.device.signInAgain;
    return {
      signedIn: !signInAgain && (this.deps.links.token !== null || this.device.active) && saved.relayUrl !== null,
      relayUrl: this.deps.policy.relayUrl ?? saved.relayUrl,
      agent: saved.agent,
      relayUrlLocked: this.deps.policy.relayUrlLocked === true,
      signInAgain,
    };
  }

  /** Signs out, then wipes the cache: only the agent's queued messages may stay, when they chose to keep them. */
  private async signOut(queued: 'keep' | 'discard'): Promise<Session> {
    const { id, key } = this.deps.links.author();
    const relayUrl = this.deps.store.session.get().relayUrl;
    const accessToken = this.device.active ? this.deps.links.token : null;
    this.sso.cancel();
    await this.deps.links.close(true);
    await this.device.signOut(relayUrl, accessToken);
    await this.deps.tokens.clear();
    try {
      this.deps.log('session.wiped', { reason: 'sign_out', ...this.deps.store.wipe({ queued, author: { id, key } }) });
    } finally {
      this.deps.links.emitState(); // the status bar's queued count, without what was discarded
      this.deps.emit('session.changed', this.session());
    }
    return this.session();
  }

  /** Machine policy's say on the address, before any credential goes to it. */
  private checkRelay(relayUrl: string): void {
    const { policy } = this.deps;
    if (policy.relayUrlLocked === true && policy.relayUrl !== undefined && relayUrl !== policy.relayUrl) {
      throw new ServiceError('forbidden', 'The relay address is set by your IT department.');
    }
    const plainHost = refusedPlainRelayHost(relayUrl, policy.allowInsecure === true);
    if (plainHost !== null) {
      this.deps.log('session.insecure_relay_refused');
      throw new ServiceError(
        'forbidden',
        `${plainHost} is not an encrypted address (ws:// or http://), so your token was not sent to it. Use the wss:// or https:// address IT gave you. For IT: insecure_relay.`,
      );
    }
  }

  /** The agent token buys a device session; a relay from before device sessions (404) takes the token directly. */
  private async signIn(relayUrl: string, token: string): Promise<Session> {
    this.checkRelay(relayUrl);
    const exchanged = await this.deps.auth.signIn(relayUrl, token, this.deps.store.session.get().deviceId);
    if (exchanged.ok)
      return this.connect(relayUrl, { access: exchanged.value.accessToken, tokens: exchanged.value, owner: this.ownerOf(exchanged.value, token) });
    const { code, message } = exchanged.error;
    if (code === 'not_found') return this.connect(relayUrl, { access: token, tokens: null, owner: { key: tokenKey(token) } });
    this.deps.log('session.sign_in_refused', { code });
    if (code === 'unauthorized') throw new ServiceError('unauthorized', 'The relay did not accept this token. Check it with your supervisor.');
    if (code === 'forbidden') throw new ServiceError('forbidden', 'This relay does not accept agent tokens: sign in with your organisation (single sign-on).');
    if (code === 'rate_limited') throw new ServiceError('rate_limited', `Too many sign-in attempts: ${message}`);
    if (code === 'tls_failure') throw new ServiceError('tls_failure', `Could not sign in at ${relayUrl}: ${message}.`);
    throw new ServiceError('unavailable', `Could not reach the relay at ${relayUrl}.`);
  }

  /** Opens the link with an access token (or a legacy static token) and waits for the relay to let the agent in. */
  private async connect(relayUrl: string, credential: { access: string; tokens: AuthTokens | null; owner: LinkOwner }): Promise<Session> {
    const { store, links } = this.deps;
    if (links.isOpen) await links.close(false);
    // A session that is replaced is revoked at the relay (best effort), and never refreshed again here.
    if (this.device.active) await this.device.signOut(store.session.get().relayUrl, links.token);
    store.session.setLastRelayUrl(relayUrl);
    const previousUrl = store.session.get().relayUrl;
    const stale = links.lastSnapshot(); // the previous connection's last state, kept by close(false)
    links.open(relayUrl, credential.access, credential.owner);
    const outcome = await this.waitForOutcome(stale);
    if (outcome !== 'ok') {
      const snapshot = links.lastSnapshot();
      await links.close(true);
      if (credential.tokens !== null) void this.deps.auth.logout(relayUrl, { refreshToken: credential.tokens.refreshToken });
      if (outcome === 'credentials') throw new ServiceError('unauthorized', 'The relay did not accept this token. Check it with your supervisor.');
      const pins = snapshot !== stale && snapshot?.detail?.code === 'tls_pin_mismatch' ? snapshot.detail.params['expected'] : undefined;
      if (pins !== undefined) throw new ServiceError('tls_failure', `The relay at ${relayUrl} does not present a certificate IT pinned (pin-sha256 ${pins}).`);
      throw new ServiceError(snapshot?.tlsProblem === true ? 'tls_failure' : 'unavailable', `Could not reach the relay at ${relayUrl}.`);
    }
    if (previousUrl !== null && previousUrl !== relayUrl) this.deps.log('session.relay_changed');
    store.session.setRelayUrl(relayUrl);
    if (credential.tokens === null) await this.device.adoptLegacy();
    else await this.device.adopt(relayUrl, credential.tokens, credential.owner);
    const session = this.session();
    this.deps.emit('session.changed', session);
    return session;
  }

  private waitForOutcome(stale: ReturnType<LinkManager['lastSnapshot']>): Promise<Outcome> {
    return new Promise((resolve) => {
      const cancel = this.deps.clock.setTimer(this.deps.signInTimeoutMs ?? 15_000, () => finish('unreachable'));
      const check = () => {
        const status = this.deps.links.status;
        if (status === 'live') finish('ok');
        else if (status === 'credentials_needed') finish('credentials');
        else if (status === 'unsupported_version') finish('unreachable');
        // A pinned key does not change while the agent waits: say so now rather than after the timeout.
        else if (this.deps.links.lastSnapshot() !== stale && this.deps.links.lastSnapshot()?.detail?.code === 'tls_pin_mismatch') finish('unreachable');
      };
      const finish = (outcome: Outcome) => {
        cancel();
        clearInterval(poll);
        resolve(outcome);
      };
      const poll = setInterval(check, 20);
      check();
    });
  }
}
