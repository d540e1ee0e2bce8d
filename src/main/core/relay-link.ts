// The relay's request methods as the console uses them: typed by the protocol, every result parsed, never cast.
import type { z } from 'zod';
import { appError, type Result } from '../../shared/errors';
import { describeIssues } from '../../shared/protocol';
import { METHODS, type MethodName, type MethodParams, type MethodResult } from '../../shared/protocol-methods';

export interface RequestOptions {
  deadlineMs?: number;
}

/** What the outbox, first sync and services need of the relay connection (so each can be tested with a fake). */
export interface RelayLink {
  request<M extends MethodName>(method: M, params: MethodParams<M>, options?: RequestOptions): Promise<Result<MethodResult<M>>>;
  isLive(): boolean;
}

/** A connection's untyped request, as the transports carry it. */
export type RawRequest = (method: string, params: unknown, options?: RequestOptions) => Promise<Result<unknown>>;

/**
 * The typed link over a raw request: a result that does not match the method's schema is a retryable error (the
 * relay and this console disagree; sending again is safe, every method is idempotent or a read), never a crash later.
 */
export function typedLink(request: RawRequest, isLive: () => boolean): RelayLink {
  return {
    isLive,
    async request<M extends MethodName>(method: M, params: MethodParams<M>, options?: RequestOptions): Promise<Result<MethodResult<M>>> {
      const result = await request(method, params, options);
      if (!result.ok) return result;
      // The schema of method M produces MethodResult<M> by definition; TypeScript cannot follow that through the generic index.
      const schema = METHODS[method].result as unknown as z.ZodType<MethodResult<M>>;
      const parsed = schema.safeParse(result.value);
      if (!parsed.success)
        return { ok: false, error: appError('internal', `the relay's answer to ${method} does not match the protocol: ${describeIssues(parsed.error)}`, true) };
      return { ok: true, value: parsed.data };
    },
  };
}
