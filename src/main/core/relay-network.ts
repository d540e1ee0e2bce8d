// How this machine reaches the relay: a fixed proxy and CA (headless, preview), or the OS proxy (system settings, PAC,
// WPAD, resolved by Chromium through an injected resolver) and the OS certificate store plus IT's CA file (desktop).
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { fail } from '../../shared/errors';
import { proxyFromPac } from './domain/proxy-answer';
import { createRelayAgent, resolveNetSettings } from './net-options';
import type { ConnectionFactory, ConnectionHandle, LinkSnapshot } from './service-types';

type Log = (event: string, fields?: Record<string, unknown>) => void;

const DEFAULT_PROXY_TIMEOUT_MS = 10_000;

/** What RelayConnection (and the media agent) need beyond the relay URL. */
export interface RelayNetOptions {
  /** PEM bundle: the OS store and IT's CA file, trusted on top of Node's roots. */
  ca?: string;
  /** http://host:port, or null for a direct connection. */
  proxy: string | null;
}

// ---- proxy ----

/** Chromium's PAC rules are written for http(s) URLs: ask with the URL the relay is reached by. */
function proxyQueryUrl(relayUrl: string): string {
  const url = new URL(relayUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  url.search = '';
  url.hash = '';
  return url.href;
}

export interface ProxyResolver {
  resolveProxy(url: string): Promise<string>;
}

export async function resolveRelayProxy(session: ProxyResolver, relayUrl: string, options: { timeoutMs?: number; log?: Log } = {}): Promise<string | null> {
  const log = options.log ?? (() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = await Promise.race([
      session.resolveProxy(proxyQueryUrl(relayUrl)),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), options.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS);
      }),
    ]);
    if (answer === null) {
      log('network.proxy_timeout');
      return null;
    }
    const proxy = proxyFromPac(answer);
    log('network.proxy', { direct: proxy === null });
    return proxy;
  } catch (error) {
    log('network.proxy_failed', { error: error instanceof Error ? error.name : 'unknown' });
    return null;
  } finally {
    clearTimeout(timer);
  }
}

// ---- certificates ----

export interface TlsLike {
  /** Node 22.15+/23.10+ (and the Electron builds on them); absent on older Node. */
  getCACertificates?: (type?: 'default' | 'system' | 'bundled' | 'extra') => string[];
}

/**
 * The OS certificate store (where a bank installs its TLS-inspection root) and IT's CA file, as
 * one PEM bundle; undefined when there is neither, leaving Node's roots alone.
 */
export function loadCaBundle(options: { tls: TlsLike; caFile?: string | undefined; readFile?: (file: string) => string; log?: Log }): string | undefined {
  const log = options.log ?? (() => {});
  const parts: string[] = [];
  if (typeof options.tls.getCACertificates === 'function') {
    try {
      const system = options.tls.getCACertificates('system');
      parts.push(...system);
      log('network.system_ca', { certificates: system.length });
    } catch (error) {
      log('network.system_ca_failed', { error: error instanceof Error ? error.name : 'unknown' });
    }
  } else {
    log('network.system_ca_unavailable'); // this runtime cannot read the OS store: IT's CA file is the way
  }
  if (options.caFile !== undefined && options.caFile !== '') {
    try {
      const pem = (options.readFile ?? ((file) => readFileSync(file, 'utf8')))(options.caFile);
      if (pem.includes('-----BEGIN CERTIFICATE-----')) parts.push(pem.trim());
      else log('network.ca_file_not_pem');
    } catch (error) {
      log('network.ca_file_unreadable', { code: (error as NodeJS.ErrnoException).code ?? null });
    }
  }
  return parts.length === 0 ? undefined : `${parts.join('\n')}\n`;
}

// ---- connections through the proxy ----

type ConnectOptions = Parameters<ConnectionFactory>[0];

const CONNECTING: LinkSnapshot = { status: 'connecting', transport: null, nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null };

/**
 * A connection whose proxy is looked up first: the service's connect() is synchronous, Chromium's
 * proxy resolution is not. Until the lookup answers it is "connecting" and requests fail as offline.
 */
class ProxiedConnection implements ConnectionHandle {
  private inner: ConnectionHandle | null = null;
  private starting = false;
  private stopped = false;

  constructor(
    private options: ConnectOptions,
    private readonly netOptions: (relayUrl: string) => Promise<RelayNetOptions>,
    private readonly create: (options: ConnectOptions & RelayNetOptions) => ConnectionHandle,
    private readonly log: Log,
  ) {}

  start(): void {
    this.stopped = false;
    if (this.inner !== null) {
      this.inner.start();
      return;
    }
    if (this.starting) return;
    this.starting = true;
    void this.netOptions(this.options.relayUrl)
      .then((net) => {
        this.starting = false;
        if (this.stopped || this.inner !== null) return;
        this.inner = this.create({ ...this.options, ...net });
        this.inner.start();
      })
      .catch((error: unknown) => {
        this.starting = false;
        this.log('network.connect_failed', { error: error instanceof Error ? error.name : 'unknown' });
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.inner?.stop();
  }

  retryNow(): void {
    this.inner?.retryNow();
  }

  setToken(token: string): void {
    this.options = { ...this.options, token };
    this.inner?.setToken?.(token);
  }

  snapshot(): LinkSnapshot {
    return this.inner?.snapshot() ?? CONNECTING;
  }

  request(method: string, params: unknown, options?: { deadlineMs?: number }) {
    return this.inner?.request(method, params, options) ?? Promise.resolve(fail('offline', 'not connected to the relay yet'));
  }
}

/** Per relay host: the proxy Chromium chose and the CA bundle, shared by the connection and media downloads. */
export class RelayNetwork implements NetSource {
  private readonly known = new Map<string, RelayNetOptions>();
  private readonly log: Log;

  constructor(
    private readonly options: {
      session: ProxyResolver;
      /** From loadCaBundle, read once at start. */
      ca: string | undefined;
      proxyTimeoutMs?: number;
      log?: Log;
    },
  ) {
    this.log = options.log ?? (() => {});
  }

  /** Resolved each time the service opens a connection (start, sign-in); RelayConnection's own reconnects keep it. */
  async netOptions(relayUrl: string): Promise<RelayNetOptions> {
    const proxy = await resolveRelayProxy(this.options.session, relayUrl, {
      log: this.log,
      ...(this.options.proxyTimeoutMs !== undefined && { timeoutMs: this.options.proxyTimeoutMs }),
    });
    const net: RelayNetOptions = { proxy, ...(this.options.ca !== undefined && { ca: this.options.ca }) };
    this.known.set(hostKey(new URL(relayUrl)), net);
    return net;
  }

  /** The HTTP agent for a media request to the relay (createRelayMediaClient's `agent`), pinned when `pins` are set. */
  readonly agentFor = (url: URL, pins: readonly string[] = []): http.Agent | undefined => {
    const net = this.known.get(hostKey(url)) ?? { proxy: null };
    if (net.proxy === null && net.ca === undefined && pins.length === 0) return undefined;
    return createRelayAgent(resolveNetSettings({ ...net, pins }), url.protocol === 'https:', false);
  };

  /** The service's ConnectionFactory: looks the proxy up, then creates the connection with `create`. */
  connectionFactory(create: (options: ConnectOptions & RelayNetOptions) => ConnectionHandle): ConnectionFactory {
    return (options) => new ProxiedConnection(options, (url) => this.netOptions(url), create, this.log);
  }
}

function hostKey(url: URL): string {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  return `${secure ? 'https' : 'http'}://${url.host}`;
}

/** Where connections and media requests get their proxy and CA: the OS per relay host (desktop), or fixed settings. */
export interface NetSource {
  netOptions(relayUrl: string): Promise<RelayNetOptions>;
  /** `pins`: machine policy's relay.pins, which every https request to the relay must satisfy. */
  agentFor(url: URL, pins?: readonly string[]): http.Agent | undefined;
  connectionFactory(create: (options: ConnectOptions & RelayNetOptions) => ConnectionHandle): ConnectionFactory;
}

/** The same proxy and CA for every relay (the headless runner's --proxy/--ca, the web preview, tests). */
export function fixedNetwork(net: { ca?: string | Buffer; proxy?: string | null } = {}): NetSource {
  const ca = net.ca === undefined ? undefined : net.ca.toString();
  const options: RelayNetOptions = { proxy: net.proxy ?? null, ...(ca !== undefined && { ca }) };
  const direct = options.proxy === null && ca === undefined;
  return {
    netOptions: async () => options,
    agentFor: (url, pins = []) =>
      direct && pins.length === 0 ? undefined : createRelayAgent(resolveNetSettings({ ...options, pins }), url.protocol === 'https:', false),
    connectionFactory: (create) => (connect) => create({ ...connect, ...options }),
  };
}
