// The relay's monitoring settings (metrics.*): the bearer token that opens /metrics; without one, /metrics is off.
import { z } from 'zod';

export interface MetricsSettings {
  /** What a Prometheus scraper sends as `Authorization: Bearer …`; null keeps /metrics off (404). */
  readonly token: string | null;
}

export const METRICS_ENV = { token: 'RELAY_METRICS_TOKEN' } as const;

/** The `metrics` object of the relay's config file. */
export const MetricsFileConfig = z.object({ token: z.string() }).partial().strict().optional();
export type MetricsFileConfig = z.infer<typeof MetricsFileConfig>;

/** Long enough that guessing it is hopeless even before the auth guard throttles the guesser. */
const MIN_TOKEN_LENGTH = 24;

export class MetricsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsConfigError';
  }
}

/** Config file < environment. A token too short or with characters a bearer header cannot carry stops startup. */
export function loadMetricsSettings(env: NodeJS.ProcessEnv, file: MetricsFileConfig): MetricsSettings {
  const fromEnv = env[METRICS_ENV.token];
  const where = fromEnv !== undefined && fromEnv !== '' ? METRICS_ENV.token : 'metrics.token';
  const token = fromEnv !== undefined && fromEnv !== '' ? fromEnv : (file?.token ?? '');
  if (token === '') return { token: null };
  if (token.length < MIN_TOKEN_LENGTH || token.length > 512 || !/^[A-Za-z0-9._~+/=-]+$/.test(token)) {
    throw new MetricsConfigError(
      `${where} must be ${MIN_TOKEN_LENGTH} to 512 characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. the output of "openssl rand -base64 32")`,
    );
  }
  return { token };
}
