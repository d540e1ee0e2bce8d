// What the store keeps of device sessions: one per sign-in (a family of tokens), bound to a device, hashes only.

/** How the agent proved who they are when the session began. */
export type FirstFactor = 'token' | 'oidc';

/** A token as stored: its SHA-256 hash and when it stops working. */
export interface IssuedToken {
  readonly hash: string;
  readonly expiresAt: number;
}

/** What a session is from its start to its end: whose, on which device, proved how, and until when. */
interface DeviceSessionStart {
  readonly familyId: string;
  readonly agentId: string;
  readonly deviceId: string;
  readonly firstFactor: FirstFactor;
  readonly createdAt: number;
  /** The absolute end, however often the session is refreshed. */
  readonly expiresAt: number;
}

export interface DeviceSessionRecord extends DeviceSessionStart {
  /** When the newest access token expires. */
  readonly accessExpiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
}

export interface NewDeviceSession extends DeviceSessionStart {
  readonly access: IssuedToken;
  readonly refresh: IssuedToken;
}

export interface SessionTokenRecord {
  readonly kind: 'access' | 'refresh';
  readonly expiresAt: number;
  readonly spentAt: number | null;
  /** An access token: when it was first presented (a successor that was used rules out a retry). */
  readonly usedAt: number | null;
  /** Replaced by a retry of the refresh that issued it: it no longer works. */
  readonly revokedAt: number | null;
  readonly session: DeviceSessionRecord;
}

export interface RefreshRequest {
  readonly refreshHash: string;
  readonly deviceId: string;
  readonly now: number;
  /** Where the refresh came from: the audit of a reuse records it. */
  readonly source: string;
  /** How long after it was spent a refresh token may be presented again as a retry of a lost answer. */
  readonly retryGraceMs: number;
  readonly access: IssuedToken;
  readonly refresh: IssuedToken;
}

/**
 * `rotated`: the old refresh token is spent and the new pair stored. `retried`: the token had been spent moments ago
 * by this device and the pair it bought was never used (its answer was lost): that pair is revoked, a new one stored.
 * `reused`: the token had been spent otherwise, so the family is now revoked and the reuse audited. `refused`:
 * nothing changed.
 */
export type RefreshOutcome =
  | { readonly kind: 'rotated' | 'retried'; readonly session: DeviceSessionRecord }
  | { readonly kind: 'reused'; readonly session: DeviceSessionRecord }
  | { readonly kind: 'refused'; readonly reason: 'unknown' | 'expired' | 'revoked' | 'wrong_device'; readonly session: DeviceSessionRecord | null };
