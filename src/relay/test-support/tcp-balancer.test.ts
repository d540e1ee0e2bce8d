import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer';

async function backend(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  server.keepAliveTimeout = 1;
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function ask(url: string): Promise<string> {
  const res = await fetch(url, { headers: { connection: 'close' } });
  return res.text();
}

describe('the loopback TCP balancer used by cluster tests', () => {
  let balancer: TcpBalancer | null = null;
  afterEach(async () => {
    await balancer?.close();
    balancer = null;
  });

  it('spreads connections round robin and skips a backend that is down', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const c = await backend('c');
    balancer = await startTcpBalancer([a.port, b.port, c.port]);
    const first = [];
    for (let i = 0; i < 6; i += 1) first.push(await ask(balancer.url));
    expect(first.sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);

    await b.close(); // an instance dies: its port now refuses
    const after = [];
    for (let i = 0; i < 6; i += 1) after.push(await ask(balancer.url));
    expect(after).not.toContain('b');
    expect(after.length).toBe(6);
    await a.close();
    await c.close();
  });
});
