// Small HTTP helpers for the sandbox routes: body limits, JSON answers and the bearer check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, ok, type Result } from '../../shared/errors';
import { secretsEqual } from '../../node-shared/secret-compare';
import { BodyTooLargeError, readBody } from '../../node-shared/http-body';

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

/** Reads a JSON body for the /sandbox/* control routes; undefined means an error answer has been sent. */
export async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readBody(req, JSON_BODY_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendJsonAndClose(req, res, 413, { error: { code: 'payload_too_large', message: `the body exceeds ${JSON_BODY_LIMIT} bytes` } });
    return undefined;
  }
  const parsed = parseJson(bytes);
  if (!parsed.ok) {
    sendJson(res, 400, { error: { code: 'invalid_input', message: 'the body is not valid JSON' } });
    return undefined;
  }
  return parsed.value;
}
