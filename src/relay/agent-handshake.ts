// What a device says when it connects (token, device id, resume cursor), checked the same for WS and long polling.
import type { IncomingHttpHeaders } from 'node:http';
import { EntityId } from '../shared/domain';
import { fail, ok, type Result } from '../shared/errors';
import { bearerToken, hashAgentToken } from './agent-tokens';
import type { Agent, RelayStore } from './store/relay-store';

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
