// Misbehaving HTTP clients on raw loopback sockets, for the door-limit tests: connections that hold, drip their
// headers or bodies a byte at a time, from a chosen local address (any 127.x address reaches a relay on 127.0.0.1).
import { connect, type Socket } from 'node:net';

export interface RawClient {
  /** Everything the relay wrote, once it closed the connection (or the test did). */
  readonly answer: Promise<string>;
  readonly closed: () => boolean;
  write(text: string): void;
  /** Writes one byte of `text` every `everyMs` until the text is out or the relay closes the connection. */
  drip(text: string, everyMs: number): void;
  close(): void;
}

export async function rawClient(port: number, localAddress = '127.0.0.1'): Promise<RawClient> {
  const socket: Socket = connect({ host: '127.0.0.1', port, localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {}); // a reset is an answer too: the test reads what arrived before it
  const answer = new Promise<string>((resolve) =>
    socket.once('close', () => {
      closed = true;
      if (timer !== null) clearInterval(timer);
      resolve(received);
    }),
  );
  return {
    answer,
    closed: () => closed,
    write: (text) => {
      if (!closed) socket.write(text);
    },
    drip(text, everyMs) {
      let next = 0;
      timer = setInterval(() => {
        if (closed || next >= text.length) {
          clearInterval(timer!);
          return;
        }
        socket.write(text[next++]!);
      }, everyMs);
    },
    close: () => socket.destroy(),
  };
}

/** Headers of a POST that declares `bytes` of body (JSON unless `headers` says otherwise); the body is up to the test. */
export function postHead(path: string, bytes: number, headers: Record<string, string> = {}): string {
  const all = { 'Content-Type': 'application/json', ...headers, 'Content-Length': String(bytes) };
  return `POST ${path} HTTP/1.1\r\nHost: relay\r\n${Object.entries(all)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

/** The status of an HTTP answer read off a raw socket: `HTTP/1.1 408 …` → 408; 0 when nothing came. */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}
