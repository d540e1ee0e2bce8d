// The one union of error codes every layer speaks, and the Result shape that carries them.

/**
 * Every error that crosses a boundary (relay protocol, IPC, CLI) carries one of these codes.
 * Add a code here, never a free-form string at the call site: the UI maps codes to words,
 * and the retry logic maps codes to "try again" or "tell the agent".
 */
export const ERROR_CODES = [
  // Input the caller sent was refused.
  'invalid_input',
  'payload_too_large',
  'unsupported_version',
  'unknown_method',
  // Who is asking.
  'unauthorized',
  'forbidden',
  // State of the thing asked about.
  'not_found',
  'conflict',
  'resync_required',
  // WhatsApp rules the agent can act on.
  'template_required',
  'undeliverable',
  'media_too_large',
  'media_type_unsupported',
  // Transient conditions: worth retrying.
  'rate_limited',
  'timeout',
  'unavailable',
  'offline',
  'tls_failure',
  // Local machine trouble.
  'storage_full',
  'storage_readonly',
  // A bug on our side; the message says where, never what the user typed.
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  readonly code: ErrorCode;
  /** For logs and IT: never a message body, token or phone number. */
  readonly message: string;
  /** Whether the same request may succeed if sent again unchanged. */
  readonly retryable: boolean;
}

export type Result<T, E extends AppError = AppError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Codes that describe a passing condition; a caller may retry these with backoff. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['rate_limited', 'timeout', 'unavailable', 'offline', 'storage_full']);

const CODE_SET: ReadonlySet<string> = new Set<string>(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

export function isRetryableByDefault(code: ErrorCode): boolean {
  return RETRYABLE_BY_DEFAULT.has(code);
}

export function appError(code: ErrorCode, message: string, retryable = isRetryableByDefault(code)): AppError {
  return { code, message, retryable };
}

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function err<E extends AppError>(error: E): Result<never, E> {
  return { ok: false, error };
}

export function fail(code: ErrorCode, message: string, retryable?: boolean): Result<never> {
  return err(appError(code, message, retryable));
}

/**
 * Reads an AppError back from untrusted data (a frame, an IPC reply). Anything that is not
 * one becomes `internal`, so a malformed error never masquerades as a retryable condition.
 */
export function toAppError(value: unknown): AppError {
  if (typeof value === 'object' && value !== null) {
    const candidate = value as { code?: unknown; message?: unknown; retryable?: unknown };
    if (isErrorCode(candidate.code) && typeof candidate.message === 'string') {
      const retryable = typeof candidate.retryable === 'boolean' ? candidate.retryable : isRetryableByDefault(candidate.code);
      return { code: candidate.code, message: candidate.message, retryable };
    }
  }
  return appError('internal', 'malformed error value', false);
}
