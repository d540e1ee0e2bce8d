// Device sessions: what a first factor (agent token or single sign-on) is exchanged for. Issues an access and refresh
// token pair bound to a device, rotates it on refresh, answers who an access token is, and ends sessions.
import type { Clock } from '../../shared/clock';
import { uuidv7 } from '../../shared/uuidv7';
import type { AgentAccess, DeviceSessionRecord, FirstFactor, RelayStore } from '../store/relay-store';
import type { RefusalReason } from './auth-guard';
import { generateAccessToken, generateRefreshToken, hashSessionToken } from './session-tokens';

/** The answer to every sign-in and refresh (docs/protocol.md, "Signing in: device sessions"). */
export interface SessionTokens {
  readonly accessToken: string;
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly sessionExpiresAt: number;
  readonly agent: { readonly id: string; readonly name: string; readonly role: string; readonly teams: readonly string[] };
}

/** An access token's agent, with their access now, and the session (family) it belongs to. */
export interface SessionAccess {
  readonly access: AgentAccess;
  readonly familyId: string;
  readonly deviceId: string;
}

export type SessionOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: RefusalReason; readonly agentId: string | null; readonly message: string };

export type DeviceSessionStore = Pick<
  RelayStore,
  'createDeviceSession' | 'sessionToken' | 'markSessionTokenUsed' | 'refreshDeviceSession' | 'revokeDeviceSession' | 'deviceSessionStates' | 'agentAccess'
>;

/** A refresh's new pair; `retried` when it replaced the unused pair of a refresh whose answer was lost. */
export interface Refreshed {
  readonly tokens: SessionTokens;
  readonly retried: boolean;
}

/**
 * How long after the latest attempt a spent refresh token may come back from the same device as a retry of a refresh
 * whose answer was lost (a branch's flaky link, a proxy reset). A console retries within seconds, backing off to 30 s
 * at most; a minute covers that. It gives a thief nothing: any use of the pair it buys ends the grace (see security.md).
 */
export const REFRESH_RETRY_GRACE_MS = 60_000;

export interface SessionLifetimes {
  readonly sessionMinutes: number;
  readonly maxSessionHours: number;
}

const refuse = (reason: RefusalReason, agentId: string | null, message: string) => ({ ok: false as const, reason, agentId, message });

export class DeviceSessions {
  constructor(private readonly deps: { store: DeviceSessionStore; clock: Clock; lifetimes: SessionLifetimes }) {}

  /** A new session for an agent who just proved who they are on this device; audited `session.signed_in`. */
  async issue(agent: AgentAccess, deviceId: string, firstFactor: FirstFactor, source: string): Promise<SessionTokens> {
    const now = this.deps.clock.wallNow();
    const familyId = uuidv7();
    const expiresAt = now + Math.round(this.deps.lifetimes.maxSessionHours * 3_600_000);
    const pair = this.pair(now, expiresAt);
    await this.deps.store.createDeviceSession(
      { familyId, agentId: agent.id, deviceId, firstFactor, createdAt: now, expiresAt, access: pair.access, refresh: pair.refresh },
      {
        at: now,
        action: 'session.signed_in',
        actorId: agent.id,
        subjectId: agent.id,
        source,
        detail: { method: firstFactor, device: deviceId, family: familyId },
      },
    );
    return tokensOf(agent, pair, expiresAt);
  }

  /**
   * A new pair for a refresh token, which is spent; a spent one presented again ends the whole session, unless it is
   * the same device retrying within REFRESH_RETRY_GRACE_MS while the pair it bought is unused (the answer was lost).
   */
  async refresh(refreshToken: string, deviceId: string, source: string): Promise<SessionOutcome<Refreshed>> {
    const now = this.deps.clock.wallNow();
    const known = await this.deps.store.sessionToken(hashSessionToken(refreshToken));
    const expiresAt = known?.session.expiresAt ?? now;
    const pair = this.pair(now, expiresAt);
    const outcome = await this.deps.store.refreshDeviceSession({
      refreshHash: hashSessionToken(refreshToken),
      deviceId,
      now,
      source,
      retryGraceMs: REFRESH_RETRY_GRACE_MS,
      access: pair.access,
      refresh: pair.refresh,
    });
    const agentId = outcome.session?.agentId ?? null;
    switch (outcome.kind) {
      case 'reused':
        return refuse('refresh_reused', agentId, 'this refresh token was already used: the session is ended, sign in again');
      case 'refused':
        if (outcome.reason === 'unknown') return refuse('unknown_or_revoked', null, 'unknown refresh token');
        if (outcome.reason === 'wrong_device') return refuse('wrong_device', agentId, 'this session belongs to another device');
        return ended(outcome.reason === 'expired' ? 'session_expired' : 'session_revoked', agentId);
      case 'rotated':
      case 'retried': {
        const access = await this.deps.store.agentAccess(outcome.session.agentId);
        if (access === null || access.revokedAt !== null) return ended('session_revoked', agentId);
        return { ok: true, value: { tokens: tokensOf(access, pair, outcome.session.expiresAt), retried: outcome.kind === 'retried' } };
      }
    }
  }

  /** The agent a session token (access or refresh) was issued to, before using it: the throttle asks per agent. */
  async holder(token: string): Promise<string | null> {
    return (await this.deps.store.sessionToken(hashSessionToken(token)))?.session.agentId ?? null;
  }

  /** Who holds this access token, used from `deviceId` (null: a request with no device, such as media). */
  async authenticate(accessToken: string, deviceId: string | null): Promise<SessionOutcome<SessionAccess>> {
    const now = this.deps.clock.wallNow();
    const token = await this.deps.store.sessionToken(hashSessionToken(accessToken));
    if (token === null || token.kind !== 'access') return refuse('unknown_or_revoked', null, 'unknown access token');
    const { session } = token;
    if (token.revokedAt !== null) return refuse('unknown_or_revoked', session.agentId, 'this access token was replaced');
    if (session.revokedAt !== null) return ended('session_revoked', session.agentId);
    if (now >= token.expiresAt || now >= session.expiresAt) return ended('session_expired', session.agentId);
    if (deviceId !== null && deviceId !== session.deviceId) return refuse('wrong_device', session.agentId, 'this session belongs to another device');
    const access = await this.deps.store.agentAccess(session.agentId);
    if (access === null || access.revokedAt !== null) return ended('session_revoked', session.agentId);
    // A used access token proves its refresh's answer arrived: from now on that refresh token cannot be retried.
    if (token.usedAt === null && !(await this.deps.store.markSessionTokenUsed(hashSessionToken(accessToken), now))) {
      return refuse('unknown_or_revoked', session.agentId, 'this access token was replaced');
    }
    return { ok: true, value: { access, familyId: session.familyId, deviceId: session.deviceId } };
  }

  /** Ends the session this access or refresh token belongs to (audited `session.signed_out`); null for an unknown token. */
  async logout(token: string, source: string): Promise<{ agentId: string } | null> {
    const known = await this.deps.store.sessionToken(hashSessionToken(token));
    if (known === null) return null;
    const { session } = known;
    const now = this.deps.clock.wallNow();
    await this.deps.store.revokeDeviceSession(session.familyId, 'signed_out', now, {
      at: now,
      action: 'session.signed_out',
      actorId: session.agentId,
      subjectId: session.agentId,
      source,
      detail: { device: session.deviceId, family: session.familyId },
    });
    return { agentId: session.agentId };
  }

  /**
   * Why each of these sessions can no longer carry a socket (`session_revoked`, `session_expired`); live ones are
   * left out. A session whose newest access token expired without a refresh counts as expired.
   */
  async ended(familyIds: readonly string[]): Promise<ReadonlyMap<string, 'session_expired' | 'session_revoked'>> {
    const states = await this.deps.store.deviceSessionStates(familyIds);
    const now = this.deps.clock.wallNow();
    const out = new Map<string, 'session_expired' | 'session_revoked'>();
    for (const id of familyIds) {
      const reason = endOf(states.get(id), now);
      if (reason !== null) out.set(id, reason);
    }
    return out;
  }

  private pair(now: number, sessionExpiresAt: number) {
    const accessToken = generateAccessToken();
    const refreshToken = generateRefreshToken();
    const accessExpiresAt = Math.min(now + Math.round(this.deps.lifetimes.sessionMinutes * 60_000), sessionExpiresAt);
    return {
      accessToken,
      refreshToken,
      access: { hash: hashSessionToken(accessToken), expiresAt: accessExpiresAt },
      refresh: { hash: hashSessionToken(refreshToken), expiresAt: sessionExpiresAt },
    };
  }
}

function endOf(session: DeviceSessionRecord | undefined, now: number): 'session_expired' | 'session_revoked' | null {
  if (session === undefined || session.revokedAt !== null) return 'session_revoked';
  if (now >= session.expiresAt || now >= session.accessExpiresAt) return 'session_expired';
  return null;
}

function ended(reason: 'session_expired' | 'session_revoked', agentId: string | null) {
  return refuse(reason, agentId, reason === 'session_expired' ? 'the session has expired: sign in again' : 'the session was ended: sign in again');
}

function tokensOf(
  agent: AgentAccess,
  pair: { accessToken: string; refreshToken: string; access: { expiresAt: number } },
  sessionExpiresAt: number,
): SessionTokens {
  return {
    accessToken: pair.accessToken,
    accessExpiresAt: pair.access.expiresAt,
    refreshToken: pair.refreshToken,
    sessionExpiresAt,
    agent: { id: agent.id, name: agent.name, role: agent.role, teams: agent.teams.map((t) => t.id) },
  };
}
