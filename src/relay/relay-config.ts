// The relay's settings: defaults < config file < environment < command line; a bad setting stops startup by name.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DEAD_AFTER_MS, DEFAULT_EVENT_WINDOW, DEFAULT_HEARTBEAT_MS, MAX_FRAME_BYTES } from '../shared/protocol';
import { AuthConfigError, AuthFileConfig, loadAuthSettings, type AuthSettings } from './auth/auth-config';
import { DatabaseConfigError, loadDatabaseSetting, type DatabaseSetting } from './database-config';
import { InstanceConfigError, InstanceFileConfig, loadInstanceSettings, type InstanceSettings } from './cluster/instance-settings';
import { LimitsConfigError, LimitsFileConfig, loadLimitSettings, type LimitSettings } from './limits-config';
import type { LogLevel } from './log';
import { loadMetricsSettings, MetricsConfigError, MetricsFileConfig, type MetricsSettings } from './metrics-config';
import { sandboxRefusal } from './sandbox-guard';

export interface WhatsAppSettings {
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  phoneNumberId: string;
  /** Graph API base, e.g. https://graph.facebook.com; in the sandbox, the relay's own /sandbox/graph. */
  graphUrl: string;
  apiVersion: string;
  businessAccountId: string | undefined;
}

export interface RelayConfig {
  host: string;
  port: number;
  dataDir: string;
  /** SQLite in dataDir, or PostgreSQL (--database / RELAY_DATABASE_URL); the URL prints without its password. */
  database: DatabaseSetting;
  sandbox: boolean;
  logLevel: LogLevel;
  whatsapp: WhatsAppSettings;
  heartbeatMs: number;
  deadAfterMs: number;
  eventWindow: number;
  /** How many events the log keeps for devices to resume from; older cursors resync. */
  retainEvents: number;
  /** Wait this long for a webhook proving Meta got a send whose answer was lost, before resending. */
  reconcileGraceMs: number;
  sendConcurrency: number;
  /** First retry delay for sends and media fetches; doubles per attempt (full jitter), capped at a minute. */
  retryBaseMs: number;
  /** How long one Graph API request may take before its outcome counts as unknown. */
  graphTimeoutMs: number;
  rateLimit: { perSecond: number; pairBurst: number; pairIntervalMs: number };
  /**
   * Proxies in front of the relay (addresses or CIDR ranges) whose X-Forwarded-For is believed for the audit trail's
   * source address; none by default, so a client cannot name its own address. RELAY_TRUSTED_PROXIES, comma-separated.
   */
  trustedProxies: string[];
  /** Sign-in: session lifetimes, static tokens, the bank's OpenID provider (auth.*). */
  auth: AuthSettings;
  /** What one client, address or agent may hold or ask for (limits.*). */
  limits: LimitSettings;
  /** The token that opens /metrics (metrics.*). */
  metrics: MetricsSettings;
  /** Where the other relay instances on the same database reach this one (instance.*). */
  instance: InstanceSettings;
}

export interface ConfigSources {
  /** Parsed command-line flags (already split by the CLI). */
  flags: { port?: string; host?: string; data?: string; config?: string; sandbox?: boolean; database?: string };
  env: NodeJS.ProcessEnv;
}

const ENV = {
  appSecret: 'WHATSAPP_APP_SECRET',
  verifyToken: 'WHATSAPP_VERIFY_TOKEN',
  accessToken: 'WHATSAPP_ACCESS_TOKEN',
  phoneNumberId: 'WHATSAPP_PHONE_NUMBER_ID',
  graphUrl: 'WHATSAPP_GRAPH_URL',
  apiVersion: 'WHATSAPP_API_VERSION',
  businessAccountId: 'WHATSAPP_BUSINESS_ACCOUNT_ID',
} as const;

const FileConfig = z
  .object({
    host: z.string(),
    port: z.number().int(),
    data: z.string(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']),
    retainEvents: z.number().int(),
    heartbeatMs: z.number().int(),
    deadAfterMs: z.number().int(),
    reconcileGraceMs: z.number().int(),
    trustedProxies: z.array(z.string()),
    whatsapp: z
      .object({
        appSecret: z.string(),
        verifyToken: z.string(),
        accessToken: z.string(),
        phoneNumberId: z.string(),
        graphUrl: z.string(),
        apiVersion: z.string(),
        businessAccountId: z.string(),
      })
      .partial()
      .strict(),
    auth: AuthFileConfig,
    limits: LimitsFileConfig,
    metrics: MetricsFileConfig,
    instance: InstanceFileConfig,
  })
  .partial()
  .strict();

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The production relay's data folder, and the sandbox's: a command without --data uses one of them, never both. */
export const DEFAULT_DATA_DIRS = { production: path.join('data', 'relay'), sandbox: path.join('data', 'relay-sandbox') } as const;

function dataDirOf(flags: ConfigSources['flags'], env: NodeJS.ProcessEnv, file: z.infer<typeof FileConfig>): string {
  return path.resolve(flags.data ?? env['RELAY_DATA_DIR'] ?? file.data ?? (flags.sandbox === true ? DEFAULT_DATA_DIRS.sandbox : DEFAULT_DATA_DIRS.production));
}

/** What the administrative commands need (teams, numbers, agents, audit): the data folder, and no WhatsApp secrets. */
export interface AdminSettings {
  readonly dataDir: string;
  /** The configured default number, when set and well-formed (it joins team main when the relay starts). */
  readonly phoneNumberId: string | undefined;
  /** The same database the relay uses: administration on PostgreSQL goes to the shared database, not a local file. */
  readonly database: DatabaseSetting;
}

/** The data folder as the relay itself would resolve it (--data, RELAY_DATA_DIR, the config file, the default). */
export function loadAdminSettings({ flags, env }: ConfigSources): AdminSettings {
  const file = flags.config === undefined ? {} : readConfigFile(flags.config);
  const phoneNumberId = env[ENV.phoneNumberId] ?? file.whatsapp?.phoneNumberId;
  return {
    dataDir: dataDirOf(flags, env, file),
    phoneNumberId: phoneNumberId !== undefined && /^\d{1,32}$/.test(phoneNumberId) ? phoneNumberId : undefined,
    database: section(() => loadDatabaseSetting(flags.database, env)),
  };
}

/** Loads and checks every setting; throws ConfigError naming the first bad one. */
export function loadRelayConfig({ flags, env }: ConfigSources): RelayConfig {
  const file = flags.config === undefined ? {} : readConfigFile(flags.config);
  const sandbox = flags.sandbox === true;

  const port = integer('--port', flags.port ?? env['RELAY_PORT'] ?? file.port?.toString() ?? '8787', 0, 65_535);
  const host = flags.host ?? env['RELAY_HOST'] ?? file.host ?? '127.0.0.1';
  const dataDir = dataDirOf(flags, env, file);
  const logLevel = (env['RELAY_LOG_LEVEL'] ?? file.logLevel ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ConfigError(`RELAY_LOG_LEVEL must be debug, info, warn or error (got "${logLevel}")`);

  const fromFile = file.whatsapp ?? {};
  const unsafeSandbox = sandbox ? sandboxRefusal(host, env, fromFile) : null;
  if (unsafeSandbox !== null) throw new ConfigError(unsafeSandbox);
  const setting = (key: keyof typeof ENV): string | undefined => {
    const value = env[ENV[key]] ?? fromFile[key];
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (key: keyof typeof ENV, sandboxDefault: () => string): string => {
    const value = setting(key);
    if (value !== undefined) return value;
    if (sandbox) return sandboxDefault();
    throw new ConfigError(
      `${ENV[key]} is not set (nor whatsapp.${key} in the config file); the relay cannot talk to WhatsApp without it. Or run with --sandbox.`,
    );
  };
  const secret = () => randomBytes(24).toString('base64url');

  const whatsapp: WhatsAppSettings = {
    appSecret: required('appSecret', secret),
    verifyToken: required('verifyToken', secret),
    accessToken: required('accessToken', secret),
    phoneNumberId: required('phoneNumberId', () => '100000000000001'),
    // In the sandbox the adapter is pointed at the relay's own fake Graph API once the port is known.
    graphUrl: setting('graphUrl') ?? (sandbox ? '' : 'https://graph.facebook.com'),
    apiVersion: setting('apiVersion') ?? 'v21.0',
    businessAccountId: setting('businessAccountId') ?? (sandbox ? '200000000000001' : undefined),
  };
  if (!/^\d{1,32}$/.test(whatsapp.phoneNumberId)) throw new ConfigError(`${ENV.phoneNumberId} must be the numeric phone number id from Meta's app dashboard`);
  if (whatsapp.graphUrl !== '' && !/^https?:\/\/[^\s/]+/.test(whatsapp.graphUrl)) throw new ConfigError(`${ENV.graphUrl} must be an http(s) URL`);
  if (!/^v\d+\.\d+$/.test(whatsapp.apiVersion)) throw new ConfigError(`${ENV.apiVersion} must look like v21.0`);
  if (whatsapp.appSecret.length < 8) throw new ConfigError(`${ENV.appSecret} is too short to be Meta's app secret`);

  const heartbeatMs = integer('heartbeatMs', env['RELAY_HEARTBEAT_MS'] ?? file.heartbeatMs?.toString() ?? String(DEFAULT_HEARTBEAT_MS), 100, 600_000);
  const deadAfterMs = integer('deadAfterMs', env['RELAY_DEAD_AFTER_MS'] ?? file.deadAfterMs?.toString() ?? String(DEFAULT_DEAD_AFTER_MS), 200, 3_600_000);
  if (deadAfterMs <= heartbeatMs) throw new ConfigError('deadAfterMs must be longer than heartbeatMs');

  return {
    host,
    port,
    dataDir,
    database: section(() => loadDatabaseSetting(flags.database, env)),
    sandbox,
    logLevel,
    whatsapp,
    heartbeatMs,
    deadAfterMs,
    eventWindow: integer('eventWindow', env['RELAY_EVENT_WINDOW'] ?? String(DEFAULT_EVENT_WINDOW), 1, 100_000),
    retainEvents: integer('retainEvents', env['RELAY_RETAIN_EVENTS'] ?? file.retainEvents?.toString() ?? '1000000', 100, 1e9),
    reconcileGraceMs: integer(
      'reconcileGraceMs',
      env['RELAY_RECONCILE_GRACE_MS'] ?? file.reconcileGraceMs?.toString() ?? (sandbox ? '3000' : '20000'),
      0,
      3_600_000,
    ),
    sendConcurrency: 16,
    retryBaseMs: integer('retryBaseMs', env['RELAY_RETRY_BASE_MS'] ?? '1000', 1, 60_000),
    graphTimeoutMs: integer('graphTimeoutMs', env['RELAY_GRAPH_TIMEOUT_MS'] ?? '15000', 100, 600_000),
    rateLimit: sandbox ? { perSecond: 1_000, pairBurst: 1_000, pairIntervalMs: 10 } : { perSecond: 80, pairBurst: 10, pairIntervalMs: 6_000 },
    trustedProxies: proxyList(env['RELAY_TRUSTED_PROXIES']?.split(',') ?? file.trustedProxies ?? []),
    auth: section(() => loadAuthSettings(env, file.auth ?? {}, sandbox)),
    limits: section(() => loadLimitSettings(env, file.limits)),
    metrics: section(() => loadMetricsSettings(env, file.metrics)),
    instance: section(() => loadInstanceSettings(env, file.instance)),
  };
}

/** A section's own loader (auth.*, limits.*, …), its errors reported like every other bad setting (the CLI prints a
 * ConfigError and exits with usage). */
function section<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    const own = [AuthConfigError, LimitsConfigError, MetricsConfigError, InstanceConfigError, DatabaseConfigError];
    if (own.some((kind) => error instanceof kind)) throw new ConfigError((error as Error).message);
    throw error;
  }
}

/** Addresses or CIDR ranges (IPv4 or IPv6); a typo stops startup rather than trusting nobody (or everybody) silently. */
function proxyList(entries: readonly string[]): string[] {
  const list = entries.map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of list) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new ConfigError(`RELAY_TRUSTED_PROXIES: "${entry.slice(0, 60)}" is not an IP address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8)`);
    }
  }
  return list;
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${name} must be a whole number (got "${text.slice(0, 40)}")`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max} (got ${value})`);
  return value;
}

function readConfigFile(file: string): z.infer<typeof FileConfig> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${file}: ${error instanceof SyntaxError ? 'it is not valid JSON' : (error as Error).message}`);
  }
  const parsed = FileConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`config file ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export const MAX_WS_FRAME_BYTES = MAX_FRAME_BYTES;
