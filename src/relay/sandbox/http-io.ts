// Small HTTP helpers for the sandbox routes: body limits, JSON answers and the bearer check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, ok, type Result } from '../../shared/errors';
import { secretsEqual } from '../../node-shared/secret-compare';

export const JSON_BODY_LIMIT = 1024 * 1024;
export const MEDIA_BODY_LIMIT = 100 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * For an answer given before the request body was read (413): close the connection afterwards,
 * and keep draining meanwhile so the client can finish writing and read the answer.
 */
export function sendJsonAndClose(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  res.setHeader('connection', 'close');
  req.resume();
  sendJson(res, status, value);
}

export function parseJson(bytes: Buffer): Result<unknown> {
  try {
    return ok(JSON.parse(bytes.toString('utf8')));
  } catch {
    return fail('invalid_input', 'the body is not valid JSON');
  }
}

/** Whether the request carries `token` as its bearer, compared in constant time. */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return secretsEqual(header.slice('Bearer '.length).trim(), token);
}
