// The relay's limits (limits.*): what one client, address or agent may hold or ask for, so one cannot starve the rest.
// Each is a whole number with an environment variable; a bad value stops startup naming the key.
import { z } from 'zod';

interface LimitSpec {
  readonly env: string;
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Every limit, with its variable, default and allowed range. Add a limit here (and to docs/it-guide.md); its key is
 * its name in the config file's `limits` object.
 */
const LIMITS = {
  // At the doors (HTTP and WebSocket): timeouts, connections.
  /** A request's headers must be complete within this. */
  headersTimeoutMs: { env: 'RELAY_LIMIT_HEADERS_TIMEOUT_MS', fallback: 20_000, min: 100, max: 300_000 },
  /** A request's body (webhook, sign-in, poll post) must be complete within this; a media upload gets more (below). */
  bodyTimeoutMs: { env: 'RELAY_LIMIT_BODY_TIMEOUT_MS', fallback: 15_000, min: 100, max: 600_000 },
  /** The slowest upload rate waited for: an upload's deadline is bodyTimeoutMs plus its declared size at this rate. */
  uploadMinBytesPerSecond: { env: 'RELAY_LIMIT_UPLOAD_MIN_BYTES_PER_SECOND', fallback: 65_536, min: 1_024, max: 1_000_000_000 },
  /** Open connections (HTTP and WebSocket) the process holds; past it new ones are answered 503. */
  connections: { env: 'RELAY_LIMIT_CONNECTIONS', fallback: 10_000, min: 1, max: 1_000_000 },
  /** Per client address: connections from it, or requests forwarded for it by a trusted proxy; past it 429. */
  connectionsPerAddress: { env: 'RELAY_LIMIT_CONNECTIONS_PER_ADDRESS', fallback: 256, min: 1, max: 1_000_000 },
  /** A long-poll session nobody has collected from for this long is closed and freed, whatever it holds. */
  pollUncollectedMs: { env: 'RELAY_LIMIT_POLL_UNCOLLECTED_MS', fallback: 60_000, min: 100, max: 3_600_000 },
  /** Long-poll sessions one agent may hold; opening one more closes their least recently collected (4009). */
  pollSessionsPerAgent: { env: 'RELAY_LIMIT_POLL_SESSIONS_PER_AGENT', fallback: 8, min: 1, max: 1_000 },

  // Per agent: devices, request rates, uploads.
  /** Live connections (WebSocket and long poll) one agent may hold on one relay process, each a different device. */
  devicesPerAgent: { env: 'RELAY_LIMIT_DEVICES_PER_AGENT', fallback: 10, min: 1, max: 1_000 },
  /** Sustained requests per second one device may make, and the burst above it. */
  deviceRequestsPerSecond: { env: 'RELAY_LIMIT_DEVICE_REQUESTS_PER_SECOND', fallback: 100, min: 1, max: 100_000 },
  deviceRequestBurst: { env: 'RELAY_LIMIT_DEVICE_REQUEST_BURST', fallback: 200, min: 1, max: 1_000_000 },
  /** The same across all of one agent's devices together (per relay process). */
  agentRequestsPerSecond: { env: 'RELAY_LIMIT_AGENT_REQUESTS_PER_SECOND', fallback: 200, min: 1, max: 100_000 },
  agentRequestBurst: { env: 'RELAY_LIMIT_AGENT_REQUEST_BURST', fallback: 400, min: 1, max: 1_000_000 },
  /** Files and bytes one agent may upload within `uploadWindowMinutes` (counted in the store: every process agrees). */
  uploadFilesPerWindow: { env: 'RELAY_LIMIT_UPLOAD_FILES_PER_WINDOW', fallback: 200, min: 1, max: 1_000_000 },
  uploadBytesPerWindow: { env: 'RELAY_LIMIT_UPLOAD_BYTES_PER_WINDOW', fallback: 1024 ** 3, min: 1024, max: 1024 ** 4 },
  uploadWindowMinutes: { env: 'RELAY_LIMIT_UPLOAD_WINDOW_MINUTES', fallback: 60, min: 1, max: 10_080 },
  /** An upload no message refers to is deleted, row and file, this long after it was made. */
  uploadExpiryHours: { env: 'RELAY_LIMIT_UPLOAD_EXPIRY_HOURS', fallback: 24, min: 1, max: 8_760 },
} as const satisfies Record<string, LimitSpec>;

export type LimitSettings = { readonly [K in keyof typeof LIMITS]: number };

/** The `limits` object of the relay's config file. */
export const LimitsFileConfig = z.record(z.string(), z.number()).optional();
export type LimitsFileConfig = z.infer<typeof LimitsFileConfig>;

export class LimitsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitsConfigError';
  }
}

/** Defaults < config file < environment. */
export function loadLimitSettings(env: NodeJS.ProcessEnv, file: LimitsFileConfig): LimitSettings {
  const known = new Set(Object.keys(LIMITS));
  for (const key of Object.keys(file ?? {})) {
    if (!known.has(key)) throw new LimitsConfigError(`limits.${key} is not a limit this relay knows (known: ${[...known].join(', ') || 'none'})`);
  }
  const out: Record<string, number> = {};
  for (const [key, spec] of Object.entries(LIMITS) as [string, LimitSpec][]) {
    const fromEnv = env[spec.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : (file?.[key] ?? spec.fallback);
    const where = fromEnv !== undefined && fromEnv !== '' ? spec.env : `limits.${key}`;
    if (!Number.isInteger(raw) || raw < spec.min || raw > spec.max) {
      throw new LimitsConfigError(`${where} must be a whole number from ${spec.min} to ${spec.max}`);
    }
    out[key] = raw;
  }
  return out as LimitSettings;
}
