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

  // Per agent: devices, request rates, uploads.
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
