// A credential at one of the agent doors (WebSocket, long polling, media), through the guard: the source admitted (or
// delayed, or refused with Retry-After), the token checked, then the agent admitted; and the 429 answers themselves.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { signIn, type SignedInAgent, type SignInAuth } from '../agent-handshake';
import { sendJson } from '../http-util';
import type { AuthDoor, AuthGuard } from './auth-guard';

export type DoorSignIn =
  | { readonly ok: true; readonly agent: SignedInAgent }
  | { readonly ok: false; readonly status: 401 }
  | { readonly ok: false; readonly status: 429; readonly retryAfterSeconds: number };

/**
 * The agent whose token this is, once the guard lets the source and then the agent in. `sourceAdmitted` when the door
 * already asked the guard about the source (the WebSocket does, before the upgrade completes).
 */
export async function signInAtDoor(
  deps: { auth: SignInAuth; guard: AuthGuard },
  token: string | null,
  source: string,
  door: AuthDoor,
  deviceId: string | null,
  sourceAdmitted = false,
): Promise<DoorSignIn> {
  if (!sourceAdmitted) {
    const admission = await deps.guard.admit(source, door);
    if (!admission.ok) return { ok: false, status: 429, retryAfterSeconds: admission.retryAfterSeconds };
  }
  const agent = await signIn(deps.auth, deps.guard, token, source, door, deviceId);
  if (agent === null) return { ok: false, status: 401 };
  const admission = await deps.guard.admitAgent(agent.id, source, door);
  if (!admission.ok) return { ok: false, status: 429, retryAfterSeconds: admission.retryAfterSeconds };
  deps.guard.accepted(source, agent.id);
  return { ok: true, agent };
}

const TOO_MANY = 'too many refused sign-ins from this address or for this agent; try again later';

/** `429 rate_limited` with `Retry-After`, in the protocol's error shape. */
export function sendRateLimited(res: ServerResponse, retryAfterSeconds: number): void {
  res.setHeader('connection', 'close');
  sendJson(res, 429, { error: { code: 'rate_limited', message: TOO_MANY, retryable: true } }, { 'retry-after': String(retryAfterSeconds) });
}

/** The same on the raw socket of a WebSocket upgrade, which then never becomes a WebSocket. */
export function refuseUpgradeRateLimited(socket: Duplex, retryAfterSeconds: number): void {
  const body = JSON.stringify({ error: { code: 'rate_limited', message: TOO_MANY, retryable: true } });
  socket.end(
    `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfterSeconds}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
