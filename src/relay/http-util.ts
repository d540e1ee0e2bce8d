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

/** After refusing a request early, stop reading it without leaving the client hanging. */
export function refuseRest(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
  req.resume();
}
