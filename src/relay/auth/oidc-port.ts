// What the relay's sign-in routes need from the bank's OpenID provider: start a login (authorization URL with PKCE,
// state and nonce) and finish it (code exchanged, ID token verified), then which agent the identity is.
import type { Result } from '../../shared/errors';
import type { AgentAccess } from '../store/relay-store';

/** A verified ID token's identity: nothing here is trusted before signature, iss, aud, exp and nonce were checked. */
export interface OidcIdentity {
  readonly issuer: string;
  readonly subject: string;
  /** The value of the configured agent claim (preferred_username or email). */
  readonly agentName: string;
  /** The values of the configured team claim (empty without one). */
  readonly groups: readonly string[];
  /** A display name when the token has one (`name`). */
  readonly displayName: string | null;
}

export interface OidcLogin {
  /**
   * A new login for a console listening on `redirectUri` (a loopback http URL, RFC 8252): the provider's authorization
   * URL and the state that names the pending login. Fails `not_found` when SSO is not configured, `invalid_input` for
   * a redirect that is not loopback, `unavailable` when the provider cannot be reached.
   */
  start(input: { redirectUri: string; deviceId?: string }): Promise<Result<{ authorizationUrl: string; state: string }>>;
  /**
   * The console came back with the provider's code for `state`: the pending login is used up (a second finish fails),
   * the code is exchanged and the ID token verified. Fails `unauthorized` with the reason in the message, also when
   * `deviceId` is not the device that started it (start and finish may reach different relay processes: it is stored).
   */
  finish(input: { state: string; code: string; deviceId?: string }): Promise<Result<OidcIdentity>>;
}

/** Which active agent a verified identity is: found, provisioned (when allowed) or refused (`forbidden`, clear message). */
export interface OidcAgents {
  resolve(identity: OidcIdentity, source: string, now: number): Promise<Result<AgentAccess>>;
}
