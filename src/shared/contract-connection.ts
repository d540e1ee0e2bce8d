// The console contract's connection part: the status bar's state and why the link is not live, as codes (words are the renderer's).
import { z } from 'zod';

export const ConnectionStatus = z.enum(['signed_out', 'connecting', 'live', 'reconnecting', 'polling', 'offline', 'credentials_needed']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/**
 * Why the link is not live, as a code and parameters: the renderer's catalogue holds the words (core sends no sentences).
 * `params.error` carries a technical code for IT (ECONNREFUSED, CERT_HAS_EXPIRED), never shown as the sentence itself.
 */
export const CONNECTION_DETAIL_CODES = [
  /** The relay did not answer the handshake in time. params: seconds */
  'connect_timeout',
  /** Nothing arrived for too long on an open link. params: seconds */
  'dead_link',
  /** An open link broke (params.error: the socket's code). */
  'connection_lost',
  /** Nothing listens at the relay's address. params: error */
  'unreachable',
  /** The relay's host name did not resolve. params: error */
  'dns_failed',
  /** Another network failure. params: error */
  'network_error',
  /** The HTTP proxy refused or failed. params: error or httpStatus */
  'proxy_failed',
  /** TLS: the certificate chain is not trusted here (TLS inspection without IT's CA, a self-signed relay). params: error */
  'tls_untrusted',
  /** TLS: expired or not yet valid. params: error */
  'tls_expired',
  /** TLS: the certificate names another host. params: error */
  'tls_wrong_host',
  /** TLS: the handshake failed otherwise. params: error */
  'tls_handshake',
  /** TLS: the chain is trusted but matches none of machine policy's relay.pins; nothing was sent. params: error, expected (pins), presented (the leaf's) */
  'tls_pin_mismatch',
  /** The relay address is plain ws:// or http:// to another computer: the token is not sent (machine policy relay.allowInsecure). params: host */
  'insecure_relay',
  /** A proxy refused the WebSocket upgrade. params: httpStatus */
  'upgrade_refused',
  /** The upgrade was refused and the same session goes on over long polling. params: httpStatus */
  'polling_fallback',
  /** The relay refused the credentials. */
  'token_refused',
  /** The device session ended and could not be refreshed (expired, revoked): the agent signs in again; the queue waits. */
  'session_ended',
  /** The relay throttles this address or agent after refused sign-ins (429, 4008): waiting, not a bad token. params: httpStatus or closeCode, seconds (the least wait) */
  'rate_limited',
  /** The relay does not speak this console's protocol version. */
  'version_unsupported',
  /** The relay is restarting. */
  'relay_restarting',
  /** The agent's teams or role changed: connecting again at once to what they may see now. */
  'access_changed',
  /** This device connected again from another window or process. */
  'superseded',
  /** The relay closed the link. params: closeCode */
  'relay_closed',
  /** The relay forgot the long-poll session (it restarted). */
  'poll_session_lost',
  /** The relay answered with an HTTP error. params: httpStatus, error (the relay's error code, if any) */
  'http_error',
  /** The relay sent something outside the protocol (a bug on one side; the log has the details). */
  'protocol_error',
  /** This desktop could not read or write its own cache. */
  'local_storage_failed',
] as const;
export const ConnectionDetailCode = z.enum(CONNECTION_DETAIL_CODES);
export type ConnectionDetailCode = z.infer<typeof ConnectionDetailCode>;

export const ConnectionDetail = z.object({
  code: ConnectionDetailCode,
  params: z.record(z.string().max(32), z.union([z.string().max(120), z.number()])),
});
export type ConnectionDetail = z.infer<typeof ConnectionDetail>;

export const ConnectionState = z.object({
  status: ConnectionStatus,
  /** When the next reconnect attempt is due (epoch ms), while reconnecting or offline. */
  nextAttemptAt: z.number().int().nullable(),
  /** Messages saved on this desktop that the relay has not taken yet. */
  queued: z.number().int().nonnegative(),
  /** Why the last attempt failed (never a secret); the renderer puts it into words. */
  detail: ConnectionDetail.nullable(),
  /** A TLS failure is not "offline": IT must look at certificates or the proxy. */
  tlsProblem: z.boolean(),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

export const SyncProgress = z.object({
  phase: z.enum(['idle', 'syncing']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;
