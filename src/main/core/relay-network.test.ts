import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RelayNetwork, fixedNetwork, loadCaBundle, resolveRelayProxy, type RelayNetOptions, type TlsLike } from './relay-network';
import type { ConnectionHandle, LinkSnapshot } from './service-types';

/** Chromium's proxy lookup, as Electron's session answers it: a table by URL, DIRECT for the rest. */
class FakeSession {
  readonly proxies = new Map<string, string>();
  readonly proxyQueries: string[] = [];
  async resolveProxy(url: string): Promise<string> {
    this.proxyQueries.push(url);
    return this.proxies.get(url) ?? 'DIRECT';
  }
}

const PEM_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
const PEM_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----';

afterEach(() => {
  vi.useRealTimers();
});

describe('the OS proxy', () => {
  it('asks Chromium with the http(s) form of the relay URL', async () => {
    const session = new FakeSession();
    session.proxies.set('https://relay.bank.example/', 'PROXY proxy.bank.local:8080');
    expect(await resolveRelayProxy(session, 'wss://relay.bank.example/?token=x')).toBe('http://proxy.bank.local:8080');
    expect(await resolveRelayProxy(session, 'ws://relay.bank.example:8080')).toBeNull();
    expect(session.proxyQueries).toEqual(['https://relay.bank.example/', 'http://relay.bank.example:8080/']);
  });

  it('goes direct when the lookup fails or hangs', async () => {
    const log = vi.fn();
    expect(await resolveRelayProxy({ resolveProxy: () => Promise.reject(new Error('PAC script error')) }, 'wss://r.example', { log })).toBeNull();
    expect(await resolveRelayProxy({ resolveProxy: () => new Promise(() => {}) }, 'wss://r.example', { timeoutMs: 10, log })).toBeNull();
    expect(log).toHaveBeenCalledWith('network.proxy_failed', expect.anything());
    expect(log).toHaveBeenCalledWith('network.proxy_timeout');
  });
});

describe('certificates', () => {
  it('uses the OS store when this runtime can read it, plus IT’s CA file', () => {
    const getCACertificates = vi.fn(() => [PEM_A]);
    const bundle = loadCaBundle({ tls: { getCACertificates }, caFile: '/etc/bank/ca.pem', readFile: () => PEM_B });
    expect(getCACertificates).toHaveBeenCalledWith('system');
    expect(bundle).toBe(`${PEM_A}\n${PEM_B}\n`);
  });

  it('works without tls.getCACertificates (older Node): the CA file alone, or nothing', () => {
    expect(loadCaBundle({ tls: {}, caFile: '/etc/bank/ca.pem', readFile: () => PEM_B })).toBe(`${PEM_B}\n`);
    expect(loadCaBundle({ tls: {} })).toBeUndefined();
  });

  it('skips a CA file it cannot read or that is not PEM, and says so', () => {
    const log = vi.fn();
    const unreadable = loadCaBundle({
      tls: {},
      caFile: '/missing.pem',
      readFile: () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      },
      log,
    });
    expect(unreadable).toBeUndefined();
    expect(log).toHaveBeenCalledWith('network.ca_file_unreadable', { code: 'ENOENT' });
    expect(loadCaBundle({ tls: {}, caFile: '/x.der', readFile: () => '\u0030\u0082binary', log })).toBeUndefined();
    expect(log).toHaveBeenCalledWith('network.ca_file_not_pem');
  });

  it('takes this runtime’s own tls module as it is, with or without getCACertificates', () => {
    const log = vi.fn();
    const bundle = loadCaBundle({ tls, log });
    if (typeof (tls as TlsLike).getCACertificates === 'function') expect(log).toHaveBeenCalledWith('network.system_ca', expect.anything());
    else expect([bundle, log.mock.calls]).toEqual([undefined, [['network.system_ca_unavailable']]]);
  });
});

function fakeHandle(): ConnectionHandle & { started: number; stopped: number } {
  const snapshot: LinkSnapshot = { status: 'live', transport: 'ws', nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null };
  return {
    started: 0,
    stopped: 0,
    start() {
      this.started++;
    },
    async stop() {
      this.stopped++;
    },
    retryNow() {},
    snapshot: () => snapshot,
    request: async () => ({ ok: true, value: 'answer' }),
  };
}

const connectOptions = (relayUrl = 'wss://relay.bank.example') => ({
  relayUrl,
  token: 'blt_token_123456',
  deviceId: 'd1',
  cursor: () => null,
  onEvents: async () => {},
  onResync: async () => {},
  onStateChange: () => {},
});

describe('connections through the OS proxy', () => {
  it('creates the relay connection with the proxy Chromium chose and the CA bundle', async () => {
    const session = new FakeSession();
    session.proxies.set('https://relay.bank.example/', 'PROXY proxy.bank.local:8080');
    const network = new RelayNetwork({ session, ca: PEM_A });
    const created: (RelayNetOptions & { relayUrl: string })[] = [];
    const inner = fakeHandle();
    const connect = network.connectionFactory((options) => {
      created.push(options);
      return inner;
    });
    const handle = connect(connectOptions());
    expect(handle.snapshot().status).toBe('connecting');
    expect(await handle.request('templates.list', {})).toMatchObject({ ok: false, error: { code: 'offline' } });
    handle.start();
    await vi.waitFor(() => expect(inner.started).toBe(1));
    expect(created[0]).toMatchObject({ relayUrl: 'wss://relay.bank.example', proxy: 'http://proxy.bank.local:8080', ca: PEM_A });
    expect(await handle.request('templates.list', {})).toEqual({ ok: true, value: 'answer' });
    expect(handle.snapshot().status).toBe('live');
    await handle.stop();
    expect(inner.stopped).toBe(1);
  });

  it('does not connect when stopped before the proxy lookup answered', async () => {
    let answer: (value: string) => void = () => {};
    const network = new RelayNetwork({ session: { resolveProxy: () => new Promise((resolve) => (answer = resolve)) }, ca: undefined });
    const create = vi.fn(() => fakeHandle());
    const handle = network.connectionFactory(create)(connectOptions());
    handle.start();
    await handle.stop();
    answer('DIRECT');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(create).not.toHaveBeenCalled();
  });

  it('hands a refreshed access token to the connection, also when it comes before the proxy lookup answered', async () => {
    let answer: (value: string) => void = () => {};
    const network = new RelayNetwork({ session: { resolveProxy: () => new Promise((resolve) => (answer = resolve)) }, ca: undefined });
    const tokens: string[] = [];
    const created: string[] = [];
    const handle = network.connectionFactory((options) => {
      created.push(options.token);
      return { ...fakeHandle(), setToken: (token: string) => void tokens.push(token) };
    })(connectOptions());
    handle.start();
    handle.setToken?.('bla_access_two');
    answer('DIRECT');
    await vi.waitFor(() => expect(created).toEqual(['bla_access_two']));
    handle.setToken?.('bla_access_three');
    expect(tokens).toEqual(['bla_access_three']);
  });

  it('gives media downloads an agent through the same proxy, for the relay host only', async () => {
    const session = new FakeSession();
    session.proxies.set('https://relay.bank.example/', 'PROXY proxy.bank.local:8080');
    const network = new RelayNetwork({ session, ca: undefined });
    expect(network.agentFor(new URL('https://relay.bank.example/v1/media/m1'))).toBeUndefined(); // not resolved yet
    await network.netOptions('wss://relay.bank.example');
    expect(network.agentFor(new URL('https://relay.bank.example/v1/media/m1'))).toBeDefined();
    expect(network.agentFor(new URL('https://other.example/v1/media/m1'))).toBeUndefined();
  });

  it('gives the headless runner the same proxy and CA for every relay', async () => {
    const network = fixedNetwork({ proxy: 'http://proxy.bank.local:8080', ca: PEM_A });
    const created: RelayNetOptions[] = [];
    network.connectionFactory((options) => (created.push(options), fakeHandle()))(connectOptions());
    expect(created[0]).toMatchObject({ proxy: 'http://proxy.bank.local:8080', ca: PEM_A });
    expect(network.agentFor(new URL('https://relay.bank.example/v1/media/m1'))).toBeDefined();
    expect(fixedNetwork().agentFor(new URL('https://relay.bank.example/v1/media/m1'))).toBeUndefined();
  });

  it('gives no special agent for a direct connection with Node’s own roots', async () => {
    const network = new RelayNetwork({ session: new FakeSession(), ca: undefined });
    await network.netOptions('wss://relay.bank.example');
    expect(network.agentFor(new URL('https://relay.bank.example/v1/media/m1'))).toBeUndefined();
  });
});
