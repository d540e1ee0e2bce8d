// The relay's sign-in settings (auth.*): session lifetimes, whether static agent tokens are still accepted, and the
// bank's OpenID provider; each has an environment variable, and a bad value stops startup naming the key.
import { z } from 'zod';
import { EntityId, type Role } from '../../shared/domain';

export interface OidcSettings {
  /** The issuer URL exactly as the provider's discovery document names it. */
  readonly issuer: string;
  readonly clientId: string;
  /** The ID token claim that names the agent: `preferred_username` (default) or `email`, or another the bank uses. */
  readonly agentClaim: string;
  /** A claim (e.g. `groups`) whose values map to teams and roles; null when teams are managed in Branchline only. */
  readonly teamClaim: string | null;
  /** Claim value → what it grants, each `team:role`; an agent gets every granted team and the highest granted role. */
  readonly teamMap: ReadonlyMap<string, readonly { team: string; role: Role }[]>;
  /** Create the agent on first sign-in when the mapping grants a team (off by default). */
  readonly provision: boolean;
  readonly scopes: readonly string[];
}

export interface AuthSettings {
  /** Lifetime of an access token (minutes; decimals allowed for tests). */
  readonly sessionMinutes: number;
  /** Absolute lifetime of a device session however often it is refreshed (hours; decimals allowed for tests). */
  readonly maxSessionHours: number;
  /** Static agent tokens (`blt_…`) accepted as a first factor: on in the sandbox, off in production once OIDC is set. */
  readonly staticTokens: boolean;
  readonly oidc: OidcSettings | null;
}

export const AUTH_ENV = {
  sessionMinutes: 'RELAY_AUTH_SESSION_MINUTES',
  maxSessionHours: 'RELAY_AUTH_MAX_SESSION_HOURS',
  staticTokens: 'RELAY_AUTH_STATIC_TOKENS',
  issuer: 'RELAY_OIDC_ISSUER',
  clientId: 'RELAY_OIDC_CLIENT_ID',
  agentClaim: 'RELAY_OIDC_AGENT_CLAIM',
  teamClaim: 'RELAY_OIDC_TEAM_CLAIM',
  teamMap: 'RELAY_OIDC_TEAM_MAP',
  provision: 'RELAY_OIDC_PROVISION',
  scopes: 'RELAY_OIDC_SCOPES',
} as const;

/** The `auth` object of the relay's config file. */
export const AuthFileConfig = z
  .object({
    sessionMinutes: z.number(),
    maxSessionHours: z.number(),
    staticTokens: z.boolean(),
    oidc: z
      .object({
        issuer: z.string(),
        clientId: z.string(),
        agentClaim: z.string(),
        teamClaim: z.string(),
        teamMap: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
        provision: z.boolean(),
        scopes: z.union([z.string(), z.array(z.string())]),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type AuthFileConfig = z.infer<typeof AuthFileConfig>;

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const DEFAULT_SESSION_MINUTES = 15;
const DEFAULT_MAX_SESSION_HOURS = 12;

/** Reads auth.* from the environment over the config file; throws naming the key of the first bad value. */
export function loadAuthSettings(env: NodeJS.ProcessEnv, file: AuthFileConfig = {}, sandbox = false): AuthSettings {
  const text = (key: keyof typeof AUTH_ENV): string | undefined => {
    const value = env[AUTH_ENV[key]];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const sessionMinutes = positive(
    'auth.sessionMinutes',
    AUTH_ENV.sessionMinutes,
    text('sessionMinutes') ?? file.sessionMinutes,
    DEFAULT_SESSION_MINUTES,
    0.05,
    24 * 60,
  );
  const maxSessionHours = positive(
    'auth.maxSessionHours',
    AUTH_ENV.maxSessionHours,
    text('maxSessionHours') ?? file.maxSessionHours,
    DEFAULT_MAX_SESSION_HOURS,
    0.005,
    24 * 31,
  );
  if (maxSessionHours * 60 < sessionMinutes) {
    throw new AuthConfigError(`auth.maxSessionHours (${AUTH_ENV.maxSessionHours}) must be at least auth.sessionMinutes (${AUTH_ENV.sessionMinutes}) long`);
  }
  const oidc = loadOidc(text, file.oidc ?? {});
  const staticText = text('staticTokens');
  const staticTokens =
    staticText === undefined ? (file.staticTokens ?? (sandbox || oidc === null)) : bool('auth.staticTokens', AUTH_ENV.staticTokens, staticText);
  return { sessionMinutes, maxSessionHours, staticTokens, oidc };
}

function loadOidc(text: (key: keyof typeof AUTH_ENV) => string | undefined, file: NonNullable<AuthFileConfig['oidc']>): OidcSettings | null {
  const issuer = text('issuer') ?? file.issuer;
  const clientId = text('clientId') ?? file.clientId;
  if (issuer === undefined && clientId === undefined) return null;
  if (issuer === undefined) throw new AuthConfigError(`auth.oidc.issuer (${AUTH_ENV.issuer}) is not set, but auth.oidc.clientId is`);
  if (clientId === undefined || clientId === '') throw new AuthConfigError(`auth.oidc.clientId (${AUTH_ENV.clientId}) is not set, but auth.oidc.issuer is`);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AuthConfigError(`auth.oidc.issuer (${AUTH_ENV.issuer}) must be a URL (got "${issuer.slice(0, 80)}")`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new AuthConfigError(`auth.oidc.issuer (${AUTH_ENV.issuer}) must be an https:// URL (plain http only on 127.0.0.1 for tests)`);
  }
  const claimName = (key: 'agentClaim' | 'teamClaim', value: string | undefined): string | undefined => {
    if (value !== undefined && !/^[A-Za-z0-9_.:/-]{1,100}$/.test(value))
      throw new AuthConfigError(`auth.oidc.${key} (${AUTH_ENV[key]}) is not a claim name (got "${value.slice(0, 40)}")`);
    return value;
  };
  const agentClaim = claimName('agentClaim', text('agentClaim') ?? file.agentClaim) ?? 'preferred_username';
  const teamClaim = claimName('teamClaim', text('teamClaim') ?? file.teamClaim) ?? null;
  const teamMap = parseTeamMap(text('teamMap'), file.teamMap);
  if (teamMap.size > 0 && teamClaim === null)
    throw new AuthConfigError(`auth.oidc.teamMap (${AUTH_ENV.teamMap}) needs auth.oidc.teamClaim (${AUTH_ENV.teamClaim})`);
  const provisionText = text('provision');
  const provision = provisionText === undefined ? (file.provision ?? false) : bool('auth.oidc.provision', AUTH_ENV.provision, provisionText);
  if (provision && teamMap.size === 0)
    throw new AuthConfigError(`auth.oidc.provision (${AUTH_ENV.provision}) needs auth.oidc.teamMap: a new agent's teams come from it`);
  const scopesValue = text('scopes') ?? file.scopes ?? 'openid profile email';
  const scopes = [...new Set((Array.isArray(scopesValue) ? scopesValue : scopesValue.split(/[\s,]+/)).filter((s) => s !== ''))];
  if (!scopes.includes('openid')) throw new AuthConfigError(`auth.oidc.scopes (${AUTH_ENV.scopes}) must include openid`);
  return { issuer, clientId, agentClaim, teamClaim, teamMap, provision, scopes };
}

/** `group=team:role,team:role;group2=team:role` in the environment, or an object of the same in the config file. */
function parseTeamMap(envText: string | undefined, file: Record<string, string | string[]> | undefined): Map<string, { team: string; role: Role }[]> {
  const entries: [string, string[]][] = [];
  if (envText !== undefined) {
    for (const part of envText
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const at = part.indexOf('=');
      if (at <= 0) throw new AuthConfigError(`auth.oidc.teamMap (${AUTH_ENV.teamMap}): "${part.slice(0, 60)}" is not claim-value=team:role`);
      entries.push([part.slice(0, at).trim(), part.slice(at + 1).split(',')]);
    }
  } else if (file !== undefined) {
    for (const [value, grants] of Object.entries(file)) entries.push([value, Array.isArray(grants) ? grants : grants.split(',')]);
  }
  const map = new Map<string, { team: string; role: Role }[]>();
  for (const [value, grants] of entries) {
    const parsed = grants
      .map((g) => g.trim())
      .filter((g) => g !== '')
      .map((grant) => {
        const match = /^(.+):(agent|supervisor|admin)$/.exec(grant);
        if (match === null || !EntityId.safeParse(match[1]).success) {
          throw new AuthConfigError(
            `auth.oidc.teamMap (${AUTH_ENV.teamMap}): "${grant.slice(0, 60)}" for "${value.slice(0, 60)}" is not team:agent, team:supervisor or team:admin`,
          );
        }
        return { team: match[1]!, role: match[2] as Role };
      });
    map.set(value, [...(map.get(value) ?? []), ...parsed]);
  }
  return map;
}

function positive(key: string, envName: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new AuthConfigError(`${key} (${envName}) must be a number between ${min} and ${max} (got "${String(value).slice(0, 40)}")`);
  }
  return number;
}

function bool(key: string, envName: string, value: string): boolean {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new AuthConfigError(`${key} (${envName}) must be true or false (got "${value.slice(0, 40)}")`);
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}
