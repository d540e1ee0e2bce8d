// A loopback TCP proxy for link tests: forwards, stalls silently (half-open), drops, cuts a frame in half, or loses an answer.
import net from 'node:net';
import tls from 'node:tls';

export interface TcpProxy {
  /** http://127.0.0.1:PORT (https:// when it terminates TLS). */
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted so far (each connection attempt of a client counts once). */
  readonly accepted: number;
  /** Pairs currently open. */
  readonly open: number;
  /** Stops moving bytes both ways without closing anything, like a link whose far end vanished. Bytes wait. */
  stall(): void;
  /** Moves bytes again: what waited is delivered; pairs whose client gave up meanwhile are closed instead. */
  forward(): void;
  /** Closes every open pair now (both sides), like a NAT dropping its table. */
  dropAll(): void;
  /** The next chunk from the target is forwarded only in part, then both sides are cut: a frame torn mid-way. */
  cutNextDownstream(): void;
  /** The next request whose bytes contain `marker` reaches the target, but its answer is lost: both sides are cut. */
  loseNextAnswerTo(marker: string): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  toUpstream: Buffer[];
  toClient: Buffer[];
  clientGone: boolean;
  upstreamGone: boolean;
  loseAnswer: boolean;
}

export async function startTcpProxy(options: {
  targetPort: number;
  targetHost?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
}): Promise<TcpProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  let stalled = false;
  let cutArmed = false;
  let loseMarker: string | null = null;
  let accepted = 0;

  const destroy = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };

  const onClient = (client: net.Socket) => {
    const upstream = net.connect(options.targetPort, targetHost);
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [], clientGone: false, upstreamGone: false, loseAnswer: false };
    pairs.add(pair);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('data', (chunk: Buffer) => {
      if (loseMarker !== null && chunk.includes(loseMarker)) {
        loseMarker = null;
        pair.loseAnswer = true;
      }
      if (stalled) pair.toUpstream.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pair.loseAnswer) return destroy(pair); // the target did the work; the client never hears of it
      if (cutArmed && !stalled) {
        cutArmed = false;
        client.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))), () => destroy(pair));
        return;
      }
      if (stalled) pair.toClient.push(chunk);
      else client.write(chunk);
    });
    // While stalled, an end does not travel either: the other side keeps waiting, as on a dead link.
    client.on('close', () => {
      pair.clientGone = true;
      if (!stalled) destroy(pair);
    });
    upstream.on('close', () => {
      pair.upstreamGone = true;
      if (!stalled) destroy(pair);
    });
  };

  const server = options.tls === undefined ? net.createServer(onClient) : tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onClient);
  server.on('connection', () => {
    accepted += 1;
  });
  // A client that rejects the certificate is expected in TLS tests; it must not crash the proxy.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    stall() {
      stalled = true;
    },
    forward() {
      stalled = false;
      for (const pair of [...pairs]) {
        // A client that gave up while stalled is gone for good: its late bytes must not reach the target.
        if (pair.clientGone) {
          destroy(pair);
          continue;
        }
        if (pair.upstreamGone) {
          for (const chunk of pair.toClient) pair.client.write(chunk);
          pair.client.end();
          pairs.delete(pair);
          continue;
        }
        for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    dropAll() {
      for (const pair of [...pairs]) destroy(pair);
    },
    cutNextDownstream() {
      cutArmed = true;
    },
    loseNextAnswerTo(marker) {
      loseMarker = marker;
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
