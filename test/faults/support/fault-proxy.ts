// A loopback TCP proxy that misbehaves on demand: latency, bandwidth cap, half-open stall, drops, frames cut, refusals, lost answers.
import net from 'node:net';

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  readonly open: number;
  /** Every chunk waits this long (each way). */
  delay(ms: number): void;
  /** At most this many bytes per second each way, per connection (null: no cap). */
  throttle(bytesPerSecond: number | null): void;
  /** Moves nothing and closes nothing: both ends keep waiting, as when a NAT silently forgets the flow. */
  stall(): void;
  /** Moves bytes again; what waited is delivered, then any close that waited. */
  forward(): void;
  /** Closes every open connection now (both sides). */
  dropAll(): void;
  /** The next chunk relay→console (or console→relay) is delivered only in part, then the connection is cut. */
  cutNext(direction: 'down' | 'up'): void;
  /** While on, new connections are accepted and closed at once (a firewall resetting them). */
  refuse(on: boolean): void;
  /** The next request whose bytes contain `marker` reaches the relay, but the connection is cut before its answer. */
  loseNextAnswerTo(marker: string): void;
  /** Answers lost that way so far. */
  readonly answersLost: number;
  close(): Promise<void>;
}

const PIECE_BYTES = 2_048;
const HIGH_WATER = 256 * 1024;

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  dead: boolean;
  loseAnswer: boolean;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let delayMs = 0;
  let bytesPerSecond: number | null = null;
  let stalled = false;
  let gateWaiters: (() => void)[] = [];
  const cut = { down: false, up: false };
  let refusing = false;
  let loseMarker: string | null = null;
  let answersLost = 0;
  let accepted = 0;
  let closed = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const gate = () => (stalled && !closed ? new Promise<void>((resolve) => gateWaiters.push(resolve)) : Promise.resolve());
  const kill = (pair: Pair) => {
    if (pair.dead) return;
    pair.dead = true;
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };

  /** One direction: chunks travel in order through delay, stall and throttle; the end travels after them. */
  const pipe = (pair: Pair, from: net.Socket, to: net.Socket, direction: 'down' | 'up') => {
    let chain = Promise.resolve();
    let queued = 0;
    from.on('data', (chunk: Buffer) => {
      if (direction === 'up' && loseMarker !== null && chunk.includes(loseMarker)) {
        loseMarker = null;
        pair.loseAnswer = true;
      }
      // The relay acted on the request; its answer never arrives.
      if (direction === 'down' && pair.loseAnswer) {
        answersLost += 1;
        return kill(pair);
      }
      const arrived = Date.now();
      queued += chunk.length;
      if (queued > HIGH_WATER) from.pause();
      chain = chain.then(async () => {
        const wait = arrived + delayMs - Date.now();
        if (wait > 0) await sleep(wait);
        await gate();
        if (pair.dead) return;
        if (cut[direction]) {
          cut[direction] = false;
          to.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))), () => kill(pair));
          return;
        }
        const rate = bytesPerSecond;
        if (rate === null) to.write(chunk);
        else
          for (let at = 0; at < chunk.length && !pair.dead; at += PIECE_BYTES) {
            const piece = chunk.subarray(at, at + PIECE_BYTES);
            await sleep((piece.length / rate) * 1000);
            if (!pair.dead) to.write(piece);
          }
        queued -= chunk.length;
        if (queued <= HIGH_WATER && from.isPaused()) from.resume();
      });
    });
    from.on('close', () => {
      chain = chain.then(async () => {
        await gate();
        kill(pair);
      });
    });
  };

  const server = net.createServer((client) => {
    accepted += 1;
    if (refusing || closed) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, dead: false, loseAnswer: false };
    pairs.add(pair);
    client.on('error', () => {});
    upstream.on('error', () => {});
    pipe(pair, client, upstream, 'up');
    pipe(pair, upstream, client, 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;

  const release = () => {
    const waiters = gateWaiters;
    gateWaiters = [];
    for (const w of waiters) w();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    get answersLost() {
      return answersLost;
    },
    delay: (ms) => void (delayMs = ms),
    throttle: (bps) => void (bytesPerSecond = bps),
    stall: () => void (stalled = true),
    forward() {
      stalled = false;
      release();
    },
    dropAll() {
      for (const pair of [...pairs]) kill(pair);
    },
    cutNext: (direction) => void (cut[direction] = true),
    refuse: (on) => void (refusing = on),
    loseNextAnswerTo: (marker) => void (loseMarker = marker),
    async close() {
      closed = true;
      stalled = false;
      release();
      for (const pair of [...pairs]) kill(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
