// How the console reaches the relay through office networks: extra CA bundle, HTTP CONNECT proxy, TLS failure names.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { errorCode } from './domain/link-failure';
import { pinnedServerIdentity } from './relay-pins';

export interface NetSettings {
  /** Extra PEM CA bundle (a bank's TLS-inspection root), trusted in addition to Node's roots. */
  ca?: string | Buffer | undefined;
  /** http://[user:pass@]host:port of an HTTP proxy reached with CONNECT, or null/undefined for none. */
  proxy?: string | null | undefined;
  /** Machine policy's relay.pins (SPKI SHA-256, base64): a TLS chain must hold one of them. Empty or absent: no pinning. */
  pins?: readonly string[] | undefined;
}

export interface ProxyTarget {
  readonly host: string;
  readonly port: number;
  /** `Proxy-Authorization` value when the proxy URL carries credentials. */
  readonly authorization: string | null;
}

/** NetSettings checked once, in the shape sockets need. */
export interface NetConfig {
  /** Node's roots plus the extra bundle; undefined leaves Node's defaults alone. */
  readonly ca: readonly (string | Buffer)[] | undefined;
  readonly proxy: ProxyTarget | null;
  /** tls's checkServerIdentity enforcing the pins, or undefined when none are set. */
  readonly checkServerIdentity: ((host: string, cert: tls.PeerCertificate) => Error | undefined) | undefined;
}

/** Throws a TypeError for a proxy setting that is not an http:// URL: a configuration mistake, not a network state. */
export function resolveNetSettings(settings: NetSettings): NetConfig {
  // Passing `ca` to tls replaces the default roots, so the defaults are listed explicitly alongside the extra bundle.
  const ca = settings.ca === undefined ? undefined : [...tls.rootCertificates, settings.ca];
  return {
    ca,
    proxy: settings.proxy === undefined || settings.proxy === null || settings.proxy === '' ? null : parseProxy(settings.proxy),
    checkServerIdentity: settings.pins === undefined || settings.pins.length === 0 ? undefined : pinnedServerIdentity(settings.pins),
  };
}

function parseProxy(text: string): ProxyTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError('the proxy setting must be a URL like http://proxy.example:8080');
  }
  if (url.protocol !== 'http:') throw new TypeError('the proxy setting must be an http:// URL (CONNECT is used for https and wss)');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? 80 : Number(url.port);
  const authorization =
    url.username === '' ? null : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  return { host, port, authorization };
}

/**
 * The relay's URL for one endpoint. The base may be given as ws(s) or http(s); the WebSocket uses
 * ws/wss and long polling http/https on the same host, and a path prefix on the base is kept.
 */
export function relayEndpoint(base: string, scheme: 'ws' | 'http', path: string, query: Record<string, string | null> = {}): URL {
  const url = new URL(base);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new TypeError('the relay URL must start with ws://, wss://, http:// or https://');
  url.protocol = scheme === 'ws' ? (secure ? 'wss:' : 'ws:') : secure ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = '';
  url.hash = '';
  for (const [key, value] of Object.entries(query)) if (value !== null) url.searchParams.set(key, value);
  return url;
}

export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'wss:';
}

/**
 * An agent for requests to the relay: trusts `ca`, and opens every socket through the proxy's
 * CONNECT tunnel when one is set. keepAlive suits long polling (several requests on one tunnel).
 */
export function createRelayAgent(config: NetConfig, secure: boolean, keepAlive: boolean): http.Agent {
  if (config.proxy !== null) return new TunnelAgent(config, config.proxy, secure, keepAlive);
  if (secure)
    return new https.Agent({
      keepAlive,
      ...(config.ca !== undefined && { ca: [...config.ca] }),
      ...(config.checkServerIdentity !== undefined && { checkServerIdentity: config.checkServerIdentity }),
    });
  return new http.Agent({ keepAlive });
}

/** A refused or failed CONNECT, named so the status line can say "proxy" rather than "offline". */
export class ProxyError extends Error {
  readonly code = 'EPROXY';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

const CONNECT_TIMEOUT_MS = 20_000;

class TunnelAgent extends http.Agent {
  constructor(
    private readonly config: NetConfig,
    private readonly proxy: ProxyTarget,
    private readonly secure: boolean,
    keepAlive: boolean,
  ) {
    super({ keepAlive });
    // ClientRequest refuses an agent whose protocol differs from the URL's; this one speaks both.
    (this as unknown as { protocol: string }).protocol = secure ? 'https:' : 'http:';
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? (this.secure ? 443 : 80));
    let called = false;
    const done = (error: Error | null, socket?: Duplex) => {
      if (called) return;
      called = true;
      // The agent's callback expects a stream even on error; it only reads the error then.
      callback?.(error, socket ?? (undefined as unknown as Duplex));
    };
    openTunnel(this.proxy, host, port, (error, socket) => {
      if (error !== null || socket === undefined) {
        done(error ?? new ProxyError('proxy tunnel failed', null));
        return;
      }
      if (!this.secure) {
        done(null, socket);
        return;
      }
      const secureSocket = tls.connect({
        socket,
        host,
        ...(net.isIP(host) === 0 && { servername: host }),
        ...(this.config.ca !== undefined && { ca: [...this.config.ca] }),
        ...(this.config.checkServerIdentity !== undefined && { checkServerIdentity: this.config.checkServerIdentity }),
      });
      done(null, secureSocket);
    });
    return undefined;
  }
}

function openTunnel(proxy: ProxyTarget, host: string, port: number, callback: (error: Error | null, socket?: net.Socket) => void): void {
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const req = http.request({
    host: proxy.host,
    port: proxy.port,
    method: 'CONNECT',
    path: authority,
    agent: false,
    headers: { host: authority, ...(proxy.authorization !== null && { 'proxy-authorization': proxy.authorization }) },
  });
  let settled = false;
  const settle = (error: Error | null, socket?: net.Socket) => {
    if (settled) return;
    settled = true;
    req.setTimeout(0);
    callback(error, socket);
  };
  req.setTimeout(CONNECT_TIMEOUT_MS, () => req.destroy(new ProxyError('the proxy did not answer CONNECT in time', null)));
  req.once('connect', (res, socket, head) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      settle(new ProxyError(`the proxy refused the tunnel (HTTP ${res.statusCode ?? 0})`, res.statusCode ?? null));
      return;
    }
    if (head.length > 0) socket.unshift(head);
    settle(null, socket);
  });
  req.once('error', (error) =>
    settle(error instanceof ProxyError ? error : new ProxyError(`cannot reach the proxy (${errorCode(error) ?? error.message})`, null)),
  );
  req.end();
}
