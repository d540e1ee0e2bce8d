// What a Graph API error answer means for us: retry (and why, and when) or fail (with the agent's words).
import { z } from 'zod';
import type { SendFailure } from '../../shared/domain';
import { metaFailureCode } from './meta-errors';
import type { Redactor } from './graph-redact';

export type RetryReason = 'rate_limited' | 'pair_rate_limited' | 'server_error' | 'network' | 'timeout' | 'auth';
type FailureCode = SendFailure['code'];

/** A bad token needs a person to fix it: retrying faster only burns Meta's error budget. */
export const AUTH_RETRY_MS = 60_000;

const RETRY_BY_META_CODE: ReadonlyMap<number, RetryReason> = new Map<number, RetryReason>([
  [4, 'rate_limited'],
  [613, 'rate_limited'],
  [80007, 'rate_limited'],
  [130429, 'rate_limited'],
  [131056, 'pair_rate_limited'],
  [190, 'auth'],
  [1, 'server_error'],
  [2, 'server_error'],
  [131000, 'server_error'],
  [131016, 'server_error'],
]);

export type GraphVerdict =
  | { readonly kind: 'retry'; readonly reason: RetryReason; readonly retryAfterMs?: number; readonly metaCode?: number; readonly text: string }
  | { readonly kind: 'failed'; readonly code: FailureCode; readonly metaCode?: number; readonly text: string };

/** A Graph answer that was not a success: its status, its parsed JSON body (if any) and its Retry-After header. */
export interface GraphErrorAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter: string | null;
}

const optionalText = z.string().optional().catch(undefined);
const GraphErrorBody = z.object({
  error: z.object({
    code: z.number().int().optional().catch(undefined),
    message: optionalText,
    title: optionalText,
    error_data: z.object({ details: optionalText }).optional().catch(undefined),
  }),
});

/**
 * Meta's `code` decides before the HTTP status: Meta documents the code as the thing to act on,
 * and the same status (400) carries both "retry later" (130429) and "never" (131026).
 */
export function judgeGraphError(answer: GraphErrorAnswer, redact: Redactor): GraphVerdict {
  const error = readGraphError(answer.body);
  const metaCode = error?.code;
  const text = redact(error?.text ?? `HTTP ${answer.status}`);
  const retryAfterMs = parseRetryAfter(answer.retryAfter);
  const retry = (reason: RetryReason): GraphVerdict => {
    const after = reason === 'auth' ? AUTH_RETRY_MS : retryAfterMs;
    return { kind: 'retry', reason, text, ...(after !== undefined && { retryAfterMs: after }), ...(metaCode !== undefined && { metaCode }) };
  };
  const failed = (code: FailureCode): GraphVerdict => ({ kind: 'failed', code, text, ...(metaCode !== undefined && { metaCode }) });

  const retryReason = metaCode === undefined ? undefined : RETRY_BY_META_CODE.get(metaCode);
  if (retryReason !== undefined) return retry(retryReason);
  const failure = metaFailureCode(metaCode);
  if (failure !== undefined) return failed(failure);
  if (answer.status === 429) return retry('rate_limited');
  if (answer.status === 401) return retry('auth');
  if (answer.status >= 400 && answer.status < 500) return failed('rejected');
  return retry('server_error');
}

/** Meta's error code and its words ("message: details"), when the body is Graph's error JSON. */
export function readGraphError(body: unknown): { code?: number; text: string } | undefined {
  const parsed = GraphErrorBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message, title, error_data: data } = parsed.data.error;
  const text = [message ?? title, data?.details].filter((s) => s !== undefined && s !== '').join(': ');
  return { ...(code !== undefined && { code }), text: text === '' ? 'no error message' : text };
}

/** Retry-After in seconds (Graph never sends the HTTP-date form); undefined when absent or not a number. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return undefined;
  return Math.round(Number(header) * 1000);
}
