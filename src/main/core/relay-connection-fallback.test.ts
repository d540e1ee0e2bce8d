// Long-polling fallback against a real relay: behind a front that refuses WebSocket upgrades, and back to WebSocket.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAgentToken } from '../../relay/agent-tokens';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import { customerWrites, range, testDevice, type TestDevice } from './test-support/relay-device';

interface UpgradeFront {
  url: string;
  /** When false, every `Upgrade: websocket` is answered 403, like a proxy that forbids WebSocket. */
  allowUpgrades: boolean;
  refused: number;
  requests: number;
  close(): Promise<void>;
}

/** An HTTP front on loopback: forwards plain requests to the relay, refuses or tunnels upgrades. */
async function startUpgradeFront(targetPort: number): Promise<UpgradeFront> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    front.requests += 1;
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    // A client that gives up on a long poll must not leave the relay's receive held.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    if (!front.allowUpgrades) {
      front.refused += 1;
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nForbidden');
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      let headers = '';
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n`);
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const front: UpgradeFront = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    allowUpgrades: false,
    refused: 0,
    requests: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return front;
}

let relay: TestRelay | undefined;
let front: UpgradeFront | undefined;
const devices: TestDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) await d.conn.stop();
  await front?.close();
  await relay?.stop();
  front = undefined;
  relay = undefined;
});

const caughtUp = async (r: TestRelay, d: TestDevice) => {
  const head = await r.relay.store.head();
  return head > 0 && d.cursor === head ? head : undefined;
};

describe('RelayConnection long-polling fallback (real relay)', () => {
  it('polls behind a front that refuses upgrades (events and requests), keeps probing, and returns to WebSocket when allowed', async () => {
    relay = await startTestRelay({ sandbox: true, env: { RELAY_HEARTBEAT_MS: '500', RELAY_DEAD_AFTER_MS: '3000' } });
    front = await startUpgradeFront(relay.relay.port);
    const r = relay;
    const f = front;
    const d = testDevice(f.url, r.token, { probeIntervalMs: 300 });
    devices.push(d);
    d.conn.start();
    await waitFor('polling', () => (d.conn.snapshot().status === 'polling' ? true : undefined));
    expect(d.conn.snapshot()).toMatchObject({ transport: 'poll', agent: { id: 'ana' } });
    expect(d.states.some((s) => s.detail?.code === 'polling_fallback' && s.detail.params['httpStatus'] === 403)).toBe(true);

    await customerWrites(r.relay.url, 'hello over long polling');
    await waitFor('caught up over polling', () => caughtUp(r, d));
    const list = await d.conn.request('conversations.list', { limit: 5 });
    expect(list.ok && (list.value as { conversations: unknown[] }).conversations).toHaveLength(1);
    expect(await d.conn.request('no.such_method', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });

    // Probes keep failing without disturbing the poll session, and the relay's pings keep it alive.
    const refusedBefore = f.refused;
    await waitFor('a few probes', () => (f.refused >= refusedBefore + 3 ? true : undefined));
    expect(d.conn.snapshot().status).toBe('polling');
    expect(d.count('relay.live')).toBe(1);

    f.allowUpgrades = true;
    await waitFor('back on WebSocket', () => (d.conn.snapshot().status === 'live' ? true : undefined));
    expect(d.conn.snapshot().transport).toBe('ws');
    await customerWrites(r.relay.url, 'hello over WebSocket again');
    const head = await waitFor('caught up over WebSocket', () => caughtUp(r, d));
    expect(d.committed).toEqual(range(1, head));
    expect((await d.conn.request('templates.list', {})).ok).toBe(true);
  });

  it('transport "poll": works on its own, and a 401 from the poll open → credentials_needed', async () => {
    relay = await startTestRelay({ sandbox: true });
    const r = relay;
    const d = testDevice(r.relay.url, r.token, { transport: 'poll' });
    devices.push(d);
    d.conn.start();
    await waitFor('polling', () => (d.conn.snapshot().status === 'polling' ? true : undefined));
    await customerWrites(r.relay.url, 'hi');
    const head = await waitFor('caught up', () => caughtUp(r, d));
    expect(d.committed).toEqual(range(1, head));

    const wrong = testDevice(r.relay.url, generateAgentToken(), { transport: 'poll' });
    devices.push(wrong);
    wrong.conn.start();
    await waitFor('credentials_needed', () => (wrong.conn.snapshot().status === 'credentials_needed' ? true : undefined));
    expect(wrong.conn.snapshot().detail).toEqual({ code: 'token_refused', params: {} });
  });
});
