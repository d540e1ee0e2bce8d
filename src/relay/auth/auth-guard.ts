// The one gate every credential passes (WebSocket, long polling, media, /v1/auth/*): throttles by source address and
// by agent, and records each refusal (log with the address and reason, audit), never the credential itself.
// PLACEHOLDER INTERFACE (issue 16 split): the throttling implementation replaces `openGuard`; callers keep this shape.

/** Which door a credential came through: the audit and the log say which. */
export type AuthDoor = 'ws' | 'poll' | 'media' | 'session' | 'refresh' | 'oidc';

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
  /** A refused credential: counted against the source (and the agent when known), logged and audited. */
  refused(source: string, door: AuthDoor, reason: RefusalReason, agentId?: string | null): Promise<void>;
  /** An accepted credential: the agent's failure count starts again. */
  accepted(source: string, agentId: string): void;
}

/** No throttling: what the guard does until the throttle lands, and what unit tests of other parts use. */
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
