// What a device says when it connects (token, device id, resume cursor), checked the same for WS, long polling and
// media; who the token belongs to, with their access now; where it connects from; refused tokens go to the guard.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { EntityId } from '../shared/domain';
import { fail, ok, type Result } from '../shared/errors';
import { bearerToken, hashAgentToken } from './agent-tokens';
import { sourceAddress } from './domain/source-address';
import type { AuthDoor, AuthGuard } from './auth/auth-guard';
import type { DeviceSessions } from './auth/device-sessions';
import { isAccessToken } from './auth/session-tokens';
import type { Agent, AgentAccess, RelayStore } from './store/relay-store';

export interface Handshake {
  readonly token: string;
  readonly deviceId: string;
  /** Last committed seq on the device; null when it has none (a first sync follows). */
  readonly since: number | null;
}

export function parseHandshake(url: URL, headers: IncomingHttpHeaders): Result<Handshake> {
  const token = bearerToken(headers.authorization);
  if (token === null) return fail('unauthorized', 'send the agent token as "Authorization: Bearer <token>"');
  const device = EntityId.safeParse(url.searchParams.get('device'));
  if (!device.success) return fail('invalid_input', 'the "device" query parameter must be the device id (1 to 128 letters, digits or . _ : -)');
  const sinceText = url.searchParams.get('since');
  let since: number | null = null;
  if (sinceText !== null && sinceText !== '') {
    if (!/^\d{1,15}$/.test(sinceText)) return fail('invalid_input', 'the "since" query parameter must be a whole number');
    since = Number(sinceText);
  }
  return ok({ token, deviceId: device.data, since });
}

export async function authenticate(store: Pick<RelayStore, 'findAgentByTokenHash'>, token: string): Promise<Agent | null> {
  return store.findAgentByTokenHash(hashAgentToken(token));
}

export type SignInStore = Pick<RelayStore, 'findAgentByTokenHash' | 'agentAccess' | 'appendAudit'>;

/** What the doors check a bearer against: device sessions' access tokens, and static agent tokens while allowed. */
export interface SignInAuth {
  readonly store: SignInStore;
  readonly sessions: Pick<DeviceSessions, 'authenticate'>;
  /** auth.staticTokens: whether a `blt_` agent token is still accepted on the socket, polling and media. */
  readonly staticTokens: boolean;
}

/** An agent let in at a door; `sessionFamily` when by a device session's access token (its sockets watch the session). */
export type SignedInAgent = AgentAccess & { readonly sessionFamily?: string };

/**
 * The active agent holding this bearer, with their role, teams and access_version now; null (and audited) when it is
 * missing, unknown, revoked, expired, another device's, or a static token while those are off. `deviceId` is the
 * handshake's; null where a request names no device (media), which accepts the session's own.
 */
export async function signIn(
  auth: SignInAuth,
  guard: AuthGuard,
  token: string | null,
  source: string,
  door: AuthDoor,
  deviceId: string | null = null,
): Promise<SignedInAgent | null> {
  if (token !== null && isAccessToken(token)) {
    const session = await auth.sessions.authenticate(token, deviceId);
    if (session.ok) return { ...session.value.access, sessionFamily: session.value.familyId };
    await guard.refused(source, door, session.reason, session.agentId);
    return null;
  }
  const agent = token === null ? null : await authenticate(auth.store, token);
  const access = agent === null ? null : await auth.store.agentAccess(agent.id);
  if (access !== null && access.revokedAt === null) {
    if (auth.staticTokens) return access;
    await guard.refused(source, door, 'static_tokens_off', access.id);
    return null;
  }
  await guard.refused(source, door, token === null ? 'missing' : 'unknown_or_revoked', agent?.id ?? null);
  return null;
}

/**
 * The client's address of a request, for the audit trail: the socket's peer, or what X-Forwarded-For says as far as
 * the configured proxies (addresses or CIDR ranges) vouch for it.
 */
export function sourceOf(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  const isTrusted = trustedProxyCheck(trustedProxies);
  return (req) => sourceAddress(req.socket.remoteAddress, trustedProxies.length === 0 ? undefined : req.headers['x-forwarded-for'], isTrusted);
}

/** Whether an address is one of the configured proxies (addresses or CIDR ranges). */
export function trustedProxyCheck(trustedProxies: readonly string[]): (address: string) => boolean {
  const proxies = new BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/');
    const type = isIPv6(address!) ? 'ipv6' : 'ipv4';
    if (bits === undefined) proxies.addAddress(address!, type);
    else proxies.addSubnet(address!, Number(bits), type);
  }
  return (address) => {
    const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    return type !== null && proxies.check(address, type);
  };
}
