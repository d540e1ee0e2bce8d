// The status bar's words (part of the catalogue in strings.ts): the connection's state and why it is not live.
import type { ConnectionDetailCode } from '../../shared/contract';

export const statusStrings = {
  starting: 'Starting…',
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting',
  retryingNow: 'trying now',
  nextAttemptIn: (seconds: number) => `next attempt in ${seconds} s`,
  polling: 'Polling fallback',
  pollingDetail: 'A proxy blocks the live connection; messages still flow, a little slower.',
  offline: 'Offline',
  offlineDetail: 'Messages you send are kept on this computer and leave when the connection is back.',
  credentialsNeeded: 'Credentials needed',
  credentialsDetail: 'The relay no longer accepts your token: sign in again.',
  signedOut: 'Signed out',
  queued: (n: number) => `${n} queued`,
  tlsProblem: 'TLS problem: the secure connection to the relay failed (certificate or proxy). Ask IT to check it.',
  /**
   * Why the link is not live, by the code core sends (ConnectionDetail, src/shared/contract.ts): calm, and what to do.
   * Technical codes (ECONNREFUSED, HTTP 502) never make the sentence; `forIt` shows them apart, for IT.
   */
  details: {
    connect_timeout: (seconds: number | null) =>
      seconds === null
        ? 'The relay did not answer in time; Branchline keeps trying.'
        : `The relay did not answer within ${seconds} s; Branchline keeps trying.`,
    dead_link: (seconds: number | null) =>
      seconds === null
        ? 'The connection went silent, so Branchline is connecting again.'
        : `The connection went silent for ${seconds} s, so Branchline is connecting again.`,
    connection_lost: 'The connection to the relay dropped; Branchline is connecting again.',
    unreachable: 'The relay cannot be reached from this computer. Check the network cable or Wi-Fi; if other sites work, call IT.',
    dns_failed: 'This computer cannot find the relay’s address. Check the network; if other sites work, call IT.',
    network_error: 'A network problem interrupted the connection; Branchline keeps trying. If it lasts, call IT.',
    proxy_failed: 'The network’s proxy did not let the connection through; Branchline keeps trying. If it lasts, call IT.',
    tls_untrusted:
      'TLS problem: this computer does not trust the relay’s certificate (a network that inspects secure traffic can cause this). Ask IT to check it.',
    tls_expired: 'TLS problem: the relay’s certificate is expired or not yet valid. Check this computer’s date and time, then ask IT to check it.',
    tls_wrong_host: 'TLS problem: the certificate received is not the relay’s. Ask IT to check it.',
    tls_handshake: 'TLS problem: the secure connection to the relay could not be set up. Ask IT to check it.',
    tls_pin_mismatch:
      'TLS problem: the relay’s certificate is not the one IT pinned for it, so nothing was sent (someone may be intercepting the connection). Ask IT to check it.',
    insecure_relay:
      'This relay address is not encrypted (ws:// or http://), so Branchline does not send your token to it. Sign out and use the wss:// or https:// address IT gave you.',
    upgrade_refused: 'A proxy on this network blocks the live connection; Branchline keeps trying. Ask IT to allow it.',
    polling_fallback: 'A proxy blocks the live connection; messages still flow, a little slower.',
    token_refused: 'The relay no longer accepts your token: sign in again.',
    session_ended: 'Your session has ended: sign in again. Messages waiting here are sent once you have.',
    rate_limited: 'The relay is slowing down sign-ins after too many refused attempts from this network; Branchline waits as asked, then connects again.',
    version_unsupported: 'This version of Branchline is too old for the relay: ask IT for an update.',
    relay_restarting: 'The relay is restarting; Branchline connects again in a moment.',
    access_changed: 'Your teams or role changed: Branchline is catching up with the conversations you may see now.',
    superseded: 'This desktop connected again from another window; this one stopped.',
    relay_closed: 'The relay closed the connection; Branchline is connecting again.',
    poll_session_lost: 'The relay restarted; Branchline is connecting again.',
    http_error: 'The relay answered with an error; Branchline keeps trying. If it lasts, call IT.',
    protocol_error: 'The relay sent something this version of Branchline does not understand; Branchline keeps trying. If it lasts, call IT.',
    local_storage_failed: 'Branchline could not read its data on this computer. Restart Branchline; if it happens again, call IT.',
  } satisfies Record<ConnectionDetailCode, string | ((seconds: number | null) => string)>,
  forIt: (technical: string) => `For IT: ${technical}`,
  httpStatus: (status: number | string) => `HTTP ${status}`,
  closeCode: (code: number | string) => `close code ${code}`,
  pinExpected: (pins: number | string) => `expected pin-sha256 ${pins}`,
  relayHost: (host: number | string) => `relay ${host}`,
  retryNow: 'Retry now',
  syncing: 'Syncing conversations',
  syncProgress: (done: number, total: number) => `Syncing conversations: ${done} of ${total}`,
} as const;
