// JSON answers in the protocol's error shape, and refusing a request before its body is read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../shared/errors';
import { isRetryableByDefault } from '../shared/errors';

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  sendJson(res, status, { error: { code, message, retryable: isRetryableByDefault(code) } });
}

/** Before refusing a request early, say the connection closes, and drain what it still sends without keeping it. */
export function refuseRest(req: IncomingMessage, res: ServerResponse): void {
  // Called after the answer was written it can no longer say so (ERR_HTTP_HEADERS_SENT): the drain alone still holds.
  if (!res.headersSent) res.setHeader('connection', 'close');
  req.resume();
}

/** The request's target as a URL (origin-form or absolute-form), never trusting its host. */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  return target.startsWith('/') ? new URL(`http://relay.invalid${target}`) : new URL(target, 'http://relay.invalid');
}
