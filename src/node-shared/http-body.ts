// The one bounded reader for HTTP request bodies, for the relay's routes and the console core alike.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** A body over its route's limit. Routes answer it with 413 in their own shape. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** What the reader needs of a request: its bytes and its declared length (an IncomingMessage fits). */
export type BodySource = Readable & { readonly headers: IncomingHttpHeaders };

/** The Content-Length the client declared, or undefined when absent or not a number. */
export function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const declared = Number(headers['content-length']);
  return headers['content-length'] === undefined || !Number.isFinite(declared) ? undefined : declared;
}

/**
 * Reads the whole body, refusing anything over `maxBytes` with BodyTooLargeError: at once when the
 * declared length says so, otherwise as soon as the count passes it, without buffering the rest.
 * The request is never destroyed here: it keeps draining, so the route's 413 can still reach a
 * client that is busy writing (the route sets `connection: close`).
 */
export function readBody(req: BodySource, maxBytes: number): Promise<Buffer> {
  const declared = declaredLength(req.headers);
  if (declared !== undefined && declared > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      outcome();
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) settle(() => reject(new BodyTooLargeError(maxBytes)));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      const body = Buffer.concat(chunks, size);
      settle(() => resolve(body));
    });
    req.on('error', (error) => settle(() => reject(error)));
    // A client that hangs up mid-body ends in 'close' without 'end' on some Node versions, and without 'error' on others.
    req.on('close', () => settle(() => reject(new Error('the request closed before its body was complete'))));
  });
}

/**
 * A pipeline stage that passes chunks through and fails with BodyTooLargeError past `maxBytes`:
 * the same limit for bodies streamed to disk instead of into memory.
 */
export function limitBytes(maxBytes: number): (chunks: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (chunks) {
    let size = 0;
    for await (const chunk of chunks) {
      size += chunk.length;
      if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
      yield chunk;
    }
  };
}
