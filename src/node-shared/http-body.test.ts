// The bounded body reader over real loopback sockets: whole bodies arrive intact, oversized ones get their 413 answer.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, limitBytes, readBody } from './http-body';

const LIMIT = 64 * 1024;
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** A server that answers 200 with the body's length and SHA of bytes, or 413 with the error's limit. */
async function start(): Promise<number> {
  server = createServer((req, res) => {
    readBody(req, LIMIT).then(
      (body) => res.writeHead(200).end(`${body.length}:${body.toString('latin1').slice(0, 16)}`),
      (error: unknown) => {
        res.setHeader('connection', 'close');
        if (error instanceof BodyTooLargeError) res.writeHead(413).end(`limit ${error.limitBytes}`);
        else res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Posts `chunks` one by one (chunked encoding unless `length` is declared) and reads the answer. */
function post(port: number, chunks: Buffer[], length?: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', headers: length === undefined ? {} : { 'content-length': length } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
    });
    // The server may answer and close before the upload is done: the answer is what matters.
    req.on('error', reject);
    let i = 0;
    const next = (): void => {
      if (i === chunks.length) {
        req.end();
        return;
      }
      const ok = req.write(chunks[i++]!);
      if (ok) setImmediate(next);
      else req.once('drain', next);
    };
    next();
  });
}

describe('readBody', () => {
  it('returns a chunked body exactly as sent', async () => {
    const port = await start();
    const chunks = [Buffer.from('{"a":'), Buffer.alloc(LIMIT - 10, 0x61), Buffer.from('}')];
    expect(await post(port, chunks)).toEqual({ status: 200, text: `${LIMIT - 4}:{"a":aaaaaaaaaaa` });
  });

  it('accepts a body of exactly the limit', async () => {
    const port = await start();
    expect((await post(port, [Buffer.alloc(LIMIT, 0x62)], LIMIT)).status).toBe(200);
  });

  it('refuses a declared length over the limit before reading, and the client gets the 413', async () => {
    const port = await start();
    expect(await post(port, [Buffer.alloc(LIMIT + 1, 0x63)], LIMIT + 1)).toEqual({ status: 413, text: `limit ${LIMIT}` });
  });

  it('refuses an undeclared body once it passes the limit, and the client still gets the 413', async () => {
    const port = await start();
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(LIMIT / 4, 0x64));
    expect(await post(port, chunks)).toEqual({ status: 413, text: `limit ${LIMIT}` });
  });
});

describe('limitBytes', () => {
  const sink = (into: Buffer[]): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        into.push(chunk);
        done();
      },
    });

  it('passes a stream under the limit through unchanged', async () => {
    const out: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), limitBytes(4), sink(out));
    expect(Buffer.concat(out).toString()).toBe('abcd');
  });

  it('fails past the limit with the same error as readBody', async () => {
    const out: Buffer[] = [];
    await expect(pipeline(Readable.from([Buffer.from('ab'), Buffer.from('cde')]), limitBytes(4), sink(out))).rejects.toEqual(new BodyTooLargeError(4));
    expect(Buffer.concat(out).toString()).toBe('ab');
  });
});
