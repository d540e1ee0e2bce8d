// The last check before the token leaves this computer: a connection to a plain ws:// or http:// relay on another
// computer is never opened, whoever asked (a sign-in, the saved session, the headless agent); the status bar says why.
import { fail } from '../../shared/errors';
import { detail } from './domain/link-failure';
import { refusedPlainRelayHost } from './domain/relay-transport-rule';
import type { ConnectionFactory, ConnectionHandle, LinkSnapshot } from './service-types';

/** `connect`, except for plain relays that machine policy (relay.allowInsecure) does not allow. */
export function refusingPlainRelays(connect: ConnectionFactory, allowInsecure: boolean, log: (event: string) => void): ConnectionFactory {
  return (options) => {
    const host = refusedPlainRelayHost(options.relayUrl, allowInsecure);
    if (host === null) return connect(options);
    log('relay.insecure_refused');
    const snapshot: LinkSnapshot = {
      status: 'stopped',
      transport: null,
      nextAttemptAtMono: null,
      detail: detail('insecure_relay', { host: host.slice(0, 120) }),
      tlsProblem: false,
      agent: null,
    };
    const refused: ConnectionHandle = {
      start: () => options.onStateChange({ ...snapshot }),
      stop: async () => {},
      retryNow: () => {},
      snapshot: () => ({ ...snapshot }),
      request: async () => fail('offline', 'the relay address is not encrypted; nothing is sent to it', false),
    };
    return refused;
  };
}
