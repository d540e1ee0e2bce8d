// A loopback TCP load balancer for cluster tests: round robin over relay instances, skipping any that refuses.
import net from 'node:net';

export interface TcpBalancer {
  /** http://127.0.0.1:PORT — what consoles and webhook senders are pointed at. */
  readonly url: string;
  readonly port: number;
  /** Connections handed to each backend port so far. */
  readonly served: ReadonlyMap<number, number>;
  /** Replaces the backends (an instance restarted on another port, say). */
  setBackends(ports: readonly number[]): void;
  close(): Promise<void>;
}

/**
 * Like a plain TCP balancer (HAProxy in `mode tcp`, nginx `stream`): each client connection goes to the next backend
 * in turn; a backend that refuses the connection is skipped for that connection, so a dead instance costs nothing but
 * a refused connect. Nothing is sticky: a console's reconnect or its next long poll may land anywhere.
 */
export async function startTcpBalancer(backendPorts: readonly number[]): Promise<TcpBalancer> {
  let backends = [...backendPorts];
  let next = 0;
  const served = new Map<number, number>();
  const sockets = new Set<net.Socket>();

  const connectFrom = (client: net.Socket, tried: number) => {
    if (backends.length === 0 || tried >= backends.length) {
      client.destroy(); // every backend refused: the client sees a reset, as behind a real balancer
      return;
    }
    const port = backends[next % backends.length] ?? 0;
    next = (next + 1) % Math.max(1, backends.length);
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      served.set(port, (served.get(port) ?? 0) + 1);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) connectFrom(client, tried + 1);
      else client.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (connected) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    connectFrom(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the balancer has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    served,
    setBackends: (ports) => {
      backends = [...ports];
      next = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
