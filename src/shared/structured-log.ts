// Structured JSON-lines logging that cannot leak tokens, message bodies or phone numbers (relay and console alike).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Field names whose values are content or credentials: never written, whatever they hold. */
const SECRET_KEYS =
  /^(token|authorization|accesstoken|refreshtoken|idtoken|appsecret|secret|password|verifytoken|body|text|caption|content|params|payload|emoji|name|profilename|customername)$/i;
/** Field names that hold a customer's phone number: written as a stable pseudonym so IT can correlate. */
const PHONE_KEYS = /^(waid|wa_id|from|to|recipient|recipient_id|phone)$/i;

/**
 * An ISO-8601 date, alone or with a time and a zone ("2026-11-24", "2026-11-24T09:00:00.000Z", "2026-11-24 11:00+02:00").
 * Its digit run is when something happened, which IT reads logs by, not a number to hide; one glued to more digits is not a date.
 */
const ISO_DATE =
  /(?<![\d+-])(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?)(?![\d-])/;

/**
 * Last line of defence for free-form strings (error messages): digit runs and bearer tokens — agent tokens (blt_),
 * device sessions' access (bla_) and refresh (blr_) tokens, JWTs such as an ID token; dates are kept.
 */
export function scrub(value: string): string {
  return value
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\bbl[tar]_[A-Za-z0-9_-]+/g, '[token]')
    .replace(/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, '[jwt]')
    .split(ISO_DATE)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\+?\d[\d\s-]{6,}\d/g, '[digits]')))
    .join('');
}

function redact(fields: LogFields, pseudonym: (waId: string) => string, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEYS.test(key)) out[key] = '[redacted]';
    else if (PHONE_KEYS.test(key) && (typeof value === 'string' || typeof value === 'number')) out[key] = pseudonym(String(value));
    // Our own ids (sessionId, messageId, …) are UUIDs whose digit runs would be mistaken for phone numbers.
    else if (typeof value === 'string') out[key] = /Id$/.test(key) && /^[0-9a-f-]{1,64}$/i.test(value) ? value : scrub(value);
    else if (value instanceof Error) out[key] = { name: value.name, message: scrub(value.message) };
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 3) out[key] = redact(value as LogFields, pseudonym, depth + 1);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) out[key] = value;
    else out[key] = '[omitted]';
  }
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  write: (line: string) => void;
  pseudonym: (waId: string) => string;
  now?: () => number;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const threshold = LEVELS[options.level];
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, event: string, fields: LogFields = {}) => {
    if (LEVELS[level] < threshold) return;
    const record = { t: new Date(now()).toISOString(), level, event, ...redact({ ...bound, ...fields }, options.pseudonym) };
    options.write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** For tests and tools that want no output. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
