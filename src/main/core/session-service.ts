// Signing in and out: which relay, which agent, the token kept between starts, and what machine policy fixes.
import type { Clock } from '../../shared/clock';
import type { Session } from '../../shared/contract';
import type { HandlersOf } from './console-service';
import type { Emit } from './event-bus';
import type { LinkManager } from './link-manager';
import type { LocalStore } from './local-store';
import { refusedPlainRelayHost } from './domain/relay-transport-rule';
import { ServiceError } from './service-types';

/** Where the agent's relay token is kept (Electron: safeStorage; headless and preview: memory). */
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
}

type Outcome = 'ok' | 'credentials' | 'unreachable';

export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  readonly handlers: HandlersOf<'session.get' | 'session.signIn' | 'session.signOut' | 'session.authMethods' | 'session.ssoStart' | 'session.ssoCancel'> = {
    'session.get': async () => this.session(),
    'session.signIn': async ({ relayUrl, token }) => this.signIn(relayUrl, token),
    // Placeholders until device sessions land (issue 16): the agent token is the only way in.
    'session.authMethods': async () => ({ sso: false, token: true, ssoIssuer: null }),
    'session.ssoStart': async () => {
      throw new ServiceError('unavailable', 'Single sign-on is not available yet.');
    },
    'session.ssoCancel': async () => ({ ok: true }),
    'session.signOut': async ({ queued = 'keep' }) => this.signOut(queued),
  };

  /** Resumes the saved session, if any: the agent does not sign in again after a restart. */
  async resume(): Promise<void> {
    const { relayUrl } = this.deps.store.session.get();
    const token = await this.deps.tokens.load();
    if (relayUrl !== null && token !== null) this.deps.links.open(relayUrl, token);
    else this.deps.links.emitState();
  }

  session(): Session {
    const saved = this.deps.store.session.get();
    return {
      signedIn: this.deps.links.token !== null && saved.relayUrl !== null,
      relayUrl: this.deps.policy.relayUrl ?? saved.relayUrl,
      agent: saved.agent,
      relayUrlLocked: this.deps.policy.relayUrlLocked === true,
      signInAgain: false,
    };
  }

  /** Signs out, then wipes the cache: only the agent's queued messages may stay, when they chose to keep them. */
  private async signOut(queued: 'keep' | 'discard'): Promise<Session> {
    const { id, key } = this.deps.links.author();
    await this.deps.links.close(true);
    await this.deps.tokens.clear();
    try {
      this.deps.log('session.wiped', { reason: 'sign_out', ...this.deps.store.wipe({ queued, author: { id, key } }) });
    } finally {
      this.deps.links.emitState(); // the status bar's queued count, without what was discarded
      this.deps.emit('session.changed', this.session());
    }
    return this.session();
  }

  private async signIn(relayUrl: string, token: string): Promise<Session> {
    const { policy, store, links } = this.deps;
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
    if (links.isOpen) await links.close(false);
    store.session.setLastRelayUrl(relayUrl);
    const previousUrl = store.session.get().relayUrl;
    const stale = links.lastSnapshot(); // the previous connection's last state, kept by close(false)
    links.open(relayUrl, token);
    const outcome = await this.waitForOutcome(stale);
    if (outcome !== 'ok') {
      const snapshot = links.lastSnapshot();
      await links.close(true);
      if (outcome === 'credentials') throw new ServiceError('unauthorized', 'The relay did not accept this token. Check it with your supervisor.');
      const pins = snapshot !== stale && snapshot?.detail?.code === 'tls_pin_mismatch' ? snapshot.detail.params['expected'] : undefined;
      if (pins !== undefined) throw new ServiceError('tls_failure', `The relay at ${relayUrl} does not present a certificate IT pinned (pin-sha256 ${pins}).`);
      throw new ServiceError(snapshot?.tlsProblem === true ? 'tls_failure' : 'unavailable', `Could not reach the relay at ${relayUrl}.`);
    }
    if (previousUrl !== null && previousUrl !== relayUrl) this.deps.log('session.relay_changed');
    store.session.setRelayUrl(relayUrl);
    await this.deps.tokens.save(token);
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
