// The one gate every credential passes (WebSocket, long polling, media, /v1/auth/*): throttles by source address and
// by agent, and records each refusal (log with the address and reason, audit), never the credential itself.
import type { Clock } from '../../shared/clock';
import { AGENT_THROTTLE, AuthThrottle, SOURCE_THROTTLE, type ThrottleSettings, type ThrottleTransition } from '../domain/auth-throttle';
import type { Logger } from '../log';
import type { RelayStore } from '../store/relay-store';
import { createRefusalRecorder } from './refusal-record';

/** Which door a credential came through: the audit and the log say which. */
export type AuthDoor = 'ws' | 'poll' | 'media' | 'session' | 'refresh' | 'oidc' | 'metrics';

/** Why a credential was refused; never the credential itself. */
export type RefusalReason =
  | 'missing'
  | 'unknown_or_revoked'
  | 'static_tokens_off'
  | 'session_expired'
  | 'session_revoked'
  | 'wrong_device'
  | 'refresh_reused'
  | 'id_token_invalid'
  | 'unknown_user'
  | 'sso_state_unknown';

export type Admission = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export interface AuthGuard {
  /**
   * Before a credential from `source` is checked: waits out any delay the source has earned, then lets it through or
   * says to answer 429 with `Retry-After`.
   */
  admit(source: string, door: AuthDoor): Promise<Admission>;
  /** After the credential named an agent: the same for that agent (a locked agent is refused from every address). */
  admitAgent(agentId: string, source: string, door: AuthDoor): Promise<Admission>;
  /**
   * A refused credential: counted against the source (and the agent when known), logged and audited; `check` names
   * the ID token check that failed (`wrong audience`, …), so IT sees in the log what the console was told.
   */
  refused(source: string, door: AuthDoor, reason: RefusalReason, agentId?: string | null, check?: string | null): Promise<void>;
  /** An accepted credential: the agent's failure count starts again. */
  accepted(source: string, agentId: string): void;
}

/** No throttling: what unit tests of other parts use. */
export function openGuard(
  record: (source: string, door: AuthDoor, reason: RefusalReason, agentId: string | null) => Promise<void> = async () => {},
): AuthGuard {
  return {
    admit: async () => ({ ok: true }),
    admitAgent: async () => ({ ok: true }),
    refused: async (source, door, reason, agentId = null) => record(source, door, reason, agentId),
    accepted: () => {},
  };
}

export interface AuthGuardSettings {
  readonly source: ThrottleSettings;
  readonly agent: ThrottleSettings;
  /**
   * At most one refusal log line and one audit entry per source address this often; a summary at the end of the
   * interval counts those in between, so a thousand refusals are a line or two, not a thousand.
   */
  readonly recordEveryMs: number;
}

export const AUTH_GUARD_DEFAULTS: AuthGuardSettings = { source: SOURCE_THROTTLE, agent: AGENT_THROTTLE, recordEveryMs: 10_000 };

/** The relay's guard: the relay stops it on close (pending log summaries are dropped). */
export interface RelayAuthGuard extends AuthGuard {
  close(): void;
}

/** The guard of one relay process (several processes throttle separately until they share it, issue 17). */
export function createAuthGuard(deps: {
  store: Pick<RelayStore, 'appendAudit'>;
  clock: Clock;
  log: Logger;
  settings?: Partial<AuthGuardSettings>;
  /** Waits out a delay (default: the clock's timer). */
  sleep?: (ms: number) => Promise<void>;
}): RelayAuthGuard {
  const settings = { ...AUTH_GUARD_DEFAULTS, ...deps.settings };
  const sources = new AuthThrottle(settings.source);
  const agents = new AuthThrottle(settings.agent);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => deps.clock.setTimer(ms, resolve)));
  const recorder = createRefusalRecorder({ ...deps, everyMs: settings.recordEveryMs, maxSources: settings.source.maxKeys });
  const now = () => deps.clock.monotonicNow();

  function logTransition(transition: ThrottleTransition, who: { source: string } | { agentId: string }): void {
    if (transition === null) return;
    deps.log.warn('agent.auth_throttled', {
      ...who,
      state: transition.kind,
      failures: transition.failures,
      ...(transition.kind === 'locked' && { retryAfterSeconds: seconds(transition.lockoutMs) }),
    });
  }

  async function limited(source: string, door: AuthDoor, retryAfterMs: number, agentId: string | null): Promise<Admission> {
    const retryAfterSeconds = seconds(retryAfterMs);
    await recorder.record({ source, door, reason: 'rate_limited', agentId, retryAfterSeconds });
    return { ok: false, retryAfterSeconds };
  }

  async function wait(throttle: AuthThrottle, key: string, delayMs: number): Promise<number | null> {
    await sleep(delayMs);
    // Locked out while it waited (by the attempts that went before it): refused all the same.
    const after = throttle.verdict(key, now());
    return after.kind === 'locked' ? after.retryAfterMs : null;
  }

  return {
    async admit(source, door) {
      const verdict = sources.verdict(source, now());
      if (verdict.kind === 'locked') return limited(source, door, verdict.retryAfterMs, null);
      sources.begin(source, now());
      const lockedMs = verdict.kind === 'delay' ? await wait(sources, source, verdict.delayMs) : null;
      return lockedMs === null ? { ok: true } : limited(source, door, lockedMs, null);
    },

    async admitAgent(agentId, source, door) {
      const verdict = agents.verdict(agentId, now());
      const lockedMs = verdict.kind === 'locked' ? verdict.retryAfterMs : verdict.kind === 'delay' ? await wait(agents, agentId, verdict.delayMs) : null;
      if (lockedMs === null) return { ok: true };
      // The source's attempt has its answer, and it was not a bad credential from that address: no longer pending.
      sources.succeed(source, now(), false);
      return limited(source, door, lockedMs, agentId);
    },

    async refused(source, door, reason, agentId = null, check = null) {
      logTransition(sources.fail(source, now(), true), { source });
      if (agentId !== null) logTransition(agents.fail(agentId, now()), { agentId });
      await recorder.record({ source, door, reason, agentId, ...(check !== null && { check }) });
    },

    accepted(source, agentId) {
      // A source's count stays: an attacker could otherwise interleave a token of their own to wipe it.
      sources.succeed(source, now(), false);
      agents.succeed(agentId, now(), true);
    },

    close: () => recorder.close(),
  };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
