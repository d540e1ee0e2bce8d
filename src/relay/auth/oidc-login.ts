// The relay as the bank's OpenID client (public, PKCE S256, no secret): starts a login and finishes it, verifying the
// ID token with jose against the issuer's JWKS. Pending logins live in the relay DB so any relay process can finish.
import * as client from 'openid-client';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { fail, ok, type AppError, type Result } from '../../shared/errors';
import type { RelayStore } from '../store/relay-store';
import { isLoopbackHost, type OidcSettings } from './auth-config';
import type { RefusalReason } from './auth-guard';
import type { OidcIdentity, OidcLogin } from './oidc-port';

/** How long a started login may wait for the console to come back (the contract: 10 minutes, one use). */
export const PENDING_LOGIN_MS = 10 * 60_000;
/** Clock skew tolerated between the relay and the provider when checking exp/iat/nbf. */
const CLOCK_TOLERANCE_SECONDS = 60;

export interface OidcLoginDeps {
  readonly settings: OidcSettings | null;
  readonly store: Pick<RelayStore, 'savePendingOidcLogin' | 'takePendingOidcLogin'>;
  readonly now?: () => number;
  /** Seconds before a request to the provider counts as unreachable. */
  readonly timeoutSeconds?: number;
}

/** Why an ID token or code was refused: the route records it, the console shows it. */
const OIDC_REFUSALS = ['wrong audience', 'wrong issuer', 'expired', 'bad signature', 'nonce mismatch', 'code refused', 'malformed id token'] as const;
export type OidcRefusal = (typeof OIDC_REFUSALS)[number];
const REFUSED = 'the sign-in was refused: ';

export function createOidcLogin(deps: OidcLoginDeps): OidcLogin {
  const { settings, store } = deps;
  const now = deps.now ?? Date.now;
  const timeout = deps.timeoutSeconds ?? 10;
  let discovered: Promise<{ config: client.Configuration; jwks: ReturnType<typeof createRemoteJWKSet> }> | null = null;

  // Discovery is cached once it worked; a failure is forgotten so the next sign-in tries the provider again.
  const provider = (oidc: OidcSettings) => {
    discovered ??= (async () => {
      const issuerUrl = new URL(oidc.issuer);
      // Plain http is only ever allowed to a provider on this machine (tests, the sandbox); auth-config refuses others.
      const insecure = issuerUrl.protocol === 'http:' && isLoopbackHost(issuerUrl.hostname);
      const config = await client.discovery(issuerUrl, oidc.clientId, { token_endpoint_auth_method: 'none' }, client.None(), {
        timeout,
        ...(insecure && { execute: [client.allowInsecureRequests] }),
      });
      const jwksUri = config.serverMetadata().jwks_uri;
      if (jwksUri === undefined) throw new Error('the discovery document names no jwks_uri');
      return { config, jwks: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeout * 1000 }) };
    })();
    discovered.catch(() => {
      discovered = null;
    });
    return discovered;
  };

  return {
    async start({ redirectUri, deviceId }) {
      if (settings === null) return fail('not_found', 'single sign-on is not configured on this relay');
      if (!isLoopbackRedirect(redirectUri))
        return fail('invalid_input', 'the redirect must be a loopback http://127.0.0.1:…, http://[::1]:… or http://localhost:… URL');
      let config: client.Configuration;
      try {
        config = (await provider(settings)).config;
      } catch {
        return fail('unavailable', `the sign-in provider ${settings.issuer} cannot be reached`);
      }
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const authorizationUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      await store.savePendingOidcLogin({ state, verifier, nonce, redirectUri, deviceId: deviceId ?? null, createdAt: now() }, PENDING_LOGIN_MS);
      return ok({ authorizationUrl: authorizationUrl.href, state });
    },

    async finish({ state, code, deviceId }) {
      if (settings === null) return fail('not_found', 'single sign-on is not configured on this relay');
      const pending = await store.takePendingOidcLogin(state, now(), PENDING_LOGIN_MS);
      if (!pending.ok) return pending;
      // Started for one device, finished by another: the code must not become that other device's session.
      if (pending.value.deviceId !== null && deviceId !== undefined && deviceId !== pending.value.deviceId) {
        return fail('unauthorized', 'the sign-in state was started on another device');
      }
      let found: Awaited<ReturnType<typeof provider>>;
      try {
        found = await provider(settings);
      } catch {
        return fail('unavailable', `the sign-in provider ${settings.issuer} cannot be reached`);
      }
      const { config, jwks } = found;
      const callback = new URL(pending.value.redirectUri);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', state);
      // RFC 9207's iss parameter guards against mixing up several providers; this relay trusts exactly one, and the
      // console brings back only code and state (the contract), so the expected issuer is what the browser was given.
      if (config.serverMetadata().authorization_response_iss_parameter_supported === true) callback.searchParams.set('iss', config.serverMetadata().issuer);
      let idToken: string | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: pending.value.verifier,
          expectedState: state,
          expectedNonce: pending.value.nonce,
          idTokenExpected: true,
        });
        idToken = tokens.id_token;
      } catch (error) {
        return refusedOrUnavailable(error, settings.issuer);
      }
      if (idToken === undefined) return refused('malformed id token');
      // openid-client checked claims but, as the token came straight from the token endpoint, not the signature: jose does.
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(idToken, jwks, {
          issuer: config.serverMetadata().issuer,
          audience: settings.clientId,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp', 'iat'],
        }));
      } catch (error) {
        return refusedOrUnavailable(error, settings.issuer);
      }
      if (payload.nonce !== pending.value.nonce) return refused('nonce mismatch');
      return identityOf(payload, settings);
    },
  };
}

/**
 * What the sign-in routes record for a failed finish or resolve: the state (unknown, used, expired), the ID token (a
 * failed check; the message names it), or an identity that is not an agent. Null for `unavailable` and the like.
 */
export function refusalReasonOf(error: AppError): RefusalReason | null {
  if (error.code === 'forbidden') return 'unknown_user';
  if (error.code !== 'unauthorized') return null;
  return error.message.startsWith('the sign-in state') ? 'sso_state_unknown' : 'id_token_invalid';
}

/** RFC 8252 §7.3: a native app's redirect is plain http to a loopback address on any port. */
export function isLoopbackRedirect(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) && url.username === '' && url.password === '' && url.hash === '' && text.length <= 500;
}

function identityOf(payload: JWTPayload, settings: OidcSettings): Result<OidcIdentity> {
  const name = payload[settings.agentClaim];
  if (typeof name !== 'string' || name.trim() === '') return fail('unauthorized', `the ID token has no ${settings.agentClaim} claim to name the agent`);
  const raw = settings.teamClaim === null ? undefined : payload[settings.teamClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? [raw] : [];
  const displayName = typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim().slice(0, 128) : null;
  return ok({ issuer: payload.iss!, subject: payload.sub!, agentName: name.trim(), groups, displayName });
}

function refused(reason: OidcRefusal): Result<never> {
  return fail('unauthorized', `${REFUSED}${reason}`);
}

/** Which check a refused finish failed (the log and the audit name it, as the answer does); null for anything else. */
export function failedCheckOf(error: AppError): OidcRefusal | null {
  if (error.code !== 'unauthorized' || !error.message.startsWith(REFUSED)) return null;
  const check = error.message.slice(REFUSED.length);
  return OIDC_REFUSALS.find((known) => known === check) ?? null;
}

/** Names the check that failed (openid-client's or jose's), or says the provider could not be reached. */
function refusedOrUnavailable(error: unknown, issuer: string): Result<never> {
  if (error instanceof joseErrors.JWTExpired) return refused('expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) return refused(claimRefusal(error.claim));
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) return refused('bad signature');
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid)
    return fail('unavailable', `the sign-in provider ${issuer} cannot be reached`);
  if (error instanceof joseErrors.JOSEError) return refused('malformed id token');
  if (error instanceof client.ResponseBodyError) return refused('code refused');
  if (error instanceof client.ClientError) {
    const claim = failedClaim(error);
    if (error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return refused(claim === 'exp' ? 'expired' : 'malformed id token');
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') return refused(claimRefusal(claim));
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_INVALID_RESPONSE') return refused('malformed id token');
  }
  return fail('unavailable', `the sign-in provider ${issuer} cannot be reached`);
}

/** openid-client wraps oauth4webapi's error, whose cause names the claim: walk a few causes down to it. */
function failedClaim(error: Error): string | null {
  let at: unknown = error;
  for (let depth = 0; depth < 4 && typeof at === 'object' && at !== null; depth += 1) {
    if ('claim' in at && typeof at.claim === 'string') return at.claim;
    at = 'cause' in at ? at.cause : null;
  }
  return null;
}

function claimRefusal(claim: string | null): OidcRefusal {
  if (claim === 'aud' || claim === 'azp') return 'wrong audience';
  if (claim === 'iss') return 'wrong issuer';
  if (claim === 'nonce') return 'nonce mismatch';
  if (claim === 'exp') return 'expired';
  return 'malformed id token';
}
