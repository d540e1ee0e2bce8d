// Puts the relay's sign-in together: device sessions with the configured lifetimes, what the doors accept, the guard
// (throttling and records) and the /v1/auth/* routes with the OpenID provider when one is configured.
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../shared/clock';
import type { SignInAuth } from '../agent-handshake';
import type { Logger } from '../log';
import type { RelayStore } from '../store/relay-store';
import type { AuthSettings } from './auth-config';
import type { AuthGuard } from './auth-guard';
import { createAuthRoutes, type AuthRoutes } from './auth-routes';
import { DeviceSessions } from './device-sessions';
import { createOidcAgents } from './oidc-agents';
import { createOidcLogin } from './oidc-login';
import type { OidcAgents, OidcLogin } from './oidc-port';

export interface RelayAuth {
  readonly sessions: DeviceSessions;
  /** What the WebSocket, long polling and media check a bearer against. */
  readonly signIn: SignInAuth;
  readonly guard: AuthGuard;
  readonly routes: AuthRoutes;
}

/** What startRelay may be given: the OpenID ports. */
export interface RelayAuthParts {
  /** Absent: built from `auth.oidc` when it is configured; null: single sign-on off (its routes answer 404). */
  readonly oidc?: { readonly login: OidcLogin; readonly agents: OidcAgents } | null;
}

export function createRelayAuth(
  deps: RelayAuthParts & {
    settings: AuthSettings;
    store: RelayStore;
    clock: Clock;
    log: Logger;
    guard: AuthGuard;
    sourceOf: (req: IncomingMessage) => string;
  },
): RelayAuth {
  const { settings, store, clock, log } = deps;
  const sessions = new DeviceSessions({ store, clock, lifetimes: settings });
  const { guard } = deps;
  const routes = createAuthRoutes({
    settings,
    sessions,
    store,
    guard,
    oidc: deps.oidc === undefined ? oidcOf(settings, store, clock) : deps.oidc,
    clock,
    log,
    sourceOf: deps.sourceOf,
  });
  return { sessions, signIn: { store, sessions, staticTokens: settings.staticTokens }, guard, routes };
}

/** The relay's OpenID client and identity mapping for the configured provider; null when none is configured. */
function oidcOf(settings: AuthSettings, store: RelayStore, clock: Clock): (RelayAuthParts['oidc'] & object) | null {
  if (settings.oidc === null) return null;
  return { login: createOidcLogin({ settings: settings.oidc, store, now: () => clock.wallNow() }), agents: createOidcAgents(settings.oidc, store) };
}
