// Relay protocol v2: the frames console and relay exchange (spec: docs/protocol.md). The relay also serves v1.
import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { Role, TeamRef } from './domain';
import { RelayEvent } from './protocol-events';

export const PROTOCOL_VERSION = 2;
/** WebSocket subprotocol naming the version the console speaks. */
export const PROTOCOL_SUBPROTOCOL = `branchline.v${PROTOCOL_VERSION}`;
/**
 * Versions the relay serves, newest first: v1 consoles keep working during a roll-out (docs/protocol.md says for how
 * long). Anything else is refused with 4002.
 */
export const SUPPORTED_PROTOCOL_VERSIONS = [2, 1] as const;
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/** The WebSocket subprotocol that names a version. */
export function subprotocolOf(version: ProtocolVersion): string {
  return `branchline.v${version}`;
}

/** The version the relay speaks on a connection offered these subprotocols: the newest it serves, or null (4002). */
export function negotiateSubprotocol(offered: ReadonlySet<string>): ProtocolVersion | null {
  return SUPPORTED_PROTOCOL_VERSIONS.find((version) => offered.has(subprotocolOf(version))) ?? null;
}

/** The long-poll `v` parameter: absent means 1 (what every v1 console sent, or none at all), otherwise a served version. */
export function pollProtocolVersion(v: string | null): ProtocolVersion | null {
  if (v === null || v === '') return 1;
  return SUPPORTED_PROTOCOL_VERSIONS.find((version) => String(version) === v) ?? null;
}
/** Largest frame either side may send. Media travels over HTTP, never in frames. */
export const MAX_FRAME_BYTES = 256 * 1024;
/** Each side sends a ping when it has sent nothing else for this long… */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** …and declares the link dead after this long without receiving anything. */
export const DEFAULT_DEAD_AFTER_MS = 15_000;
/** At most this many events are in flight (sent, not yet acked) per device. */
export const DEFAULT_EVENT_WINDOW = 2_000;
/** A long-poll receive is held open at most this long. */
export const LONG_POLL_HOLD_MS = 25_000;

/** WebSocket close codes with a meaning the client acts on. */
export const CloseCode = {
  /** Normal end (the client asked, or the relay is shutting down for good). */
  normal: 1000,
  /** No close frame arrived (the socket broke): WebSocket's own code, never sent. */
  abnormal: 1006,
  /** The handshake broke the rules (e.g. no device id): fix the client; retry only at the slowest pace. */
  policyViolation: 1008,
  /** A frame over MAX_FRAME_BYTES: the client has a bug; it may reconnect after backoff. */
  frameTooLarge: 1009,
  /** The relay failed while serving the connection: reconnect after backoff. */
  internalError: 1011,
  /** The relay is restarting: reconnect soon (short delay, then normal backoff). */
  relayRestarting: 1012,
  /** The token is missing, wrong or revoked: do NOT retry until the agent enters a new one. */
  unauthorized: 4001,
  /** The client speaks a protocol version the relay does not: do NOT retry; update the console. */
  unsupportedVersion: 4002,
  /** Too many requests: reconnect after backoff. */
  rateLimited: 4008,
  /** The same device connected again elsewhere; this connection is superseded: do not reconnect automatically. */
  superseded: 4009,
  /** No frame for longer than the dead-link timeout. */
  deadLink: 4010,
  /**
   * The agent's teams or role changed (need-to-know): reconnect at once; the next hello is a resync, so the cache is
   * rebuilt from what the agent may see now. (A revoked agent gets 4001.)
   */
  accessChanged: 4011,
} as const;

/** Close codes after which reconnecting would only fail the same way. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.unauthorized, CloseCode.unsupportedVersion, CloseCode.superseded]);

const Seq = z.number().int().nonnegative();
const RequestId = z.string().min(1).max(64);

export const WireError = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().max(2_000),
  retryable: z.boolean(),
});
export type WireError = z.infer<typeof WireError>;

// ---- client → relay ----

export const RequestFrame = z.object({
  type: z.literal('req'),
  id: RequestId,
  method: z.string().min(1).max(64),
  params: z.unknown(),
  /** Milliseconds the client will wait; the relay answers `timeout` rather than work past it. */
  deadlineMs: z.number().int().positive().max(300_000).optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

/** Cumulative: every event up to and including `seq` is committed on the device. */
export const AckFrame = z.object({ type: z.literal('ack'), seq: Seq });
export const PingFrame = z.object({ type: z.literal('ping') });
export const PongFrame = z.object({ type: z.literal('pong') });

export const ClientFrame = z.discriminatedUnion('type', [RequestFrame, AckFrame, PingFrame, PongFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- relay → client ----

/** The hello of a v2 connection (a v1 connection gets protocol-v1.ts's HelloFrameV1, which says 1). */
export const HelloFrame = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  /** Identifies this connection (and the long-poll session); bound to the agent and device. */
  sessionId: z.string(),
  /** Who signed in, with their role and teams: what the relay will let this device see and do. */
  agent: z.object({ id: z.string(), name: z.string(), role: Role, teams: z.array(TeamRef) }),
  deviceId: z.string(),
  /** Newest event in the relay's log when this connection started. */
  head: Seq,
  /** Oldest event the relay still keeps. */
  oldest: Seq,
  /**
   * "resume": events after the client's `since` follow. "resync": the client's cursor is older
   * than the relay keeps (or it has none), or the agent's teams or role changed since this device last connected:
   * page the state with sync methods (it replaces the cache); events after `head` follow.
   */
  mode: z.enum(['resume', 'resync']),
  heartbeatMs: z.number().int().positive(),
  deadAfterMs: z.number().int().positive(),
  maxFrameBytes: z.number().int().positive(),
  eventWindow: z.number().int().positive(),
});
export type HelloFrame = z.infer<typeof HelloFrame>;

export const SequencedEvent = z.object({ seq: Seq, event: RelayEvent });
export type SequencedEvent = z.infer<typeof SequencedEvent>;

/** One or more consecutive events, in seq order, never with a gap after the previous batch. */
export const EventsFrame = z.object({ type: z.literal('events'), events: z.array(SequencedEvent).min(1) });
export type EventsFrame = z.infer<typeof EventsFrame>;

export const ResponseFrame = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('res'), id: RequestId, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('res'), id: RequestId, ok: z.literal(false), error: WireError }),
]);
export type ResponseFrame = z.infer<typeof ResponseFrame>;

/** A frame the relay could not take (no id to answer to): it says why and keeps the connection. */
export const ErrorFrame = z.object({ type: z.literal('error'), error: WireError });

export const ServerFrame = z.union([HelloFrame, EventsFrame, ResponseFrame, ErrorFrame, PingFrame, PongFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Parses one text frame; a refusal names what was wrong, never the frame's content. */
export function parseFrame<T>(schema: z.ZodType<T>, text: string): { ok: true; frame: T } | { ok: false; error: WireError } {
  if (text.length > MAX_FRAME_BYTES) {
    return { ok: false, error: { code: 'payload_too_large', message: `frame exceeds ${MAX_FRAME_BYTES} bytes`, retryable: false } };
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    return { ok: false, error: { code: 'invalid_input', message: `frame nests deeper than ${MAX_JSON_DEPTH} levels`, retryable: false } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'invalid_input', message: 'frame is not valid JSON', retryable: false } };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: { code: 'invalid_input', message: describeIssues(parsed.error), retryable: false } };
  return { ok: true, frame: parsed.data };
}

/** Where input was wrong and how, without echoing the input. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
