// Assembles the relay: store, WhatsApp adapter, outbound queue, agent transports and HTTP routes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../shared/clock';
import { CloseCode } from '../shared/protocol';
import { createMethodHandler } from './agent-methods';
import { sourceOf } from './agent-handshake';
import { createAuthGuard } from './auth/auth-guard';
import { createRelayAuth } from './auth/relay-auth';
import { sendError, sendJson } from './http-util';
import { clusterMembership } from './cluster-membership';
import { createLogger, phonePseudonymizer } from './log';
import { createLongPoll } from './long-poll';
import { MediaFetcher } from './media-fetcher';
import { mediaFilesFor } from './media-placement';
import { routeMedia, type MediaRouteDeps } from './media-routes';
import { OutboundDispatcher } from './outbound-dispatcher';
import type { RelayConfig } from './relay-config';
import { createSessionFactory } from './relay-sessions';
import { createSandbox } from './sandbox/sandbox';
import { SessionHub } from './session-hub';
import { openRelayStore } from './store/open-relay-store';
import { createWebhookFigures, figuresSnapshot } from './webhook/webhook-figures';
import { handleWebhookPost, handleWebhookVerify, type WebhookRouteDeps } from './webhook/webhook-route';
import { createCloudApiProvider } from './whatsapp/cloud-api';
import { createTemplateCache } from './whatsapp/template-cache';
import type { WhatsAppProvider } from './whatsapp/provider';
import { createSendRateLimiter } from './domain/send-rate-limit';
import { createAgentSocketServer } from './ws-transport';

export const RELAY_VERSION = '0.1.0';

/** How often each process reads the access_version of the agents it serves: a revoked agent is cut off within this. */
const ACCESS_WATCH_MS = 1_000;

export type { Relay, RelayOverrides } from './relay-types';
import type { Relay, RelayOverrides } from './relay-types';

export async function startRelay(config: RelayConfig, overrides: RelayOverrides = {}): Promise<Relay> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? Math.random;
  const { store, db } = await openRelayStore({ dataDir: config.dataDir, database: config.database, phoneNumberId: config.whatsapp.phoneNumberId });
  const salt = await store.getOrCreateMeta('log_salt', () => randomBytes(16).toString('hex'));
  const log = createLogger({
    level: config.logLevel,
    write: overrides.writeLog ?? ((line) => process.stderr.write(line)),
    pseudonym: phonePseudonymizer(salt),
  });
  const hub = new SessionHub();
  let baseUrl = '';

  const sandbox = config.sandbox
    ? createSandbox({
        dataDir: config.dataDir,
        appSecret: config.whatsapp.appSecret,
        accessToken: config.whatsapp.accessToken,
        phoneNumberId: config.whatsapp.phoneNumberId,
        businessAccountId: config.whatsapp.businessAccountId ?? '200000000000001',
        // Null until the server listens: what a previous run left pending waits for it rather than failing.
        webhookUrl: () => (baseUrl === '' ? null : `${baseUrl}/webhook`),
        clock,
        ...(overrides.sandboxTiming !== undefined && { timing: overrides.sandboxTiming }),
      })
    : null;

  const cloudApi = (graphUrl: string) =>
    createCloudApiProvider({
      graphUrl,
      apiVersion: config.whatsapp.apiVersion,
      accessToken: config.whatsapp.accessToken,
      requestTimeoutMs: config.graphTimeoutMs,
      ...(config.whatsapp.businessAccountId !== undefined && { businessAccountId: config.whatsapp.businessAccountId }),
    });
  // The sandbox's fake Graph API lives on this server, whose URL is known only once it listens.
  const provider =
    overrides.provider ??
    (config.sandbox && config.whatsapp.graphUrl === '' ? lazyProvider(() => cloudApi(`${baseUrl}/sandbox/graph`)) : cloudApi(config.whatsapp.graphUrl));

  const files = mediaFilesFor(db, config.dataDir);
  const backoff = { baseMs: config.retryBaseMs, capMs: 60_000, resetAfterMs: 60_000 };
  const fetcher = new MediaFetcher({ store, provider, files, clock, log, backoff, random, maxAttempts: 8 });
  // Among several instances: wake-ups from the others' commits, and the numbers this one sends for.
  const cluster = clusterMembership(db, { store, clock, log, takeOver: (number) => dispatcher.takeOver(number) });
  const dispatcher = new OutboundDispatcher({
    store,
    provider,
    limiter: createSendRateLimiter({ ...config.rateLimit, clock }),
    media: files,
    clock,
    log,
    random,
    settings: { concurrency: config.sendConcurrency, backoff, reconcileGraceMs: config.reconcileGraceMs, idlePollMs: 1_000 },
    onCommitted: () => hub.notify(),
    leadership: cluster.leadership,
  });
  const templates = createTemplateCache(provider, clock);
  const figures = createWebhookFigures();
  const handleRequest = createMethodHandler({
    store,
    provider,
    templates,
    phoneNumberId: config.whatsapp.phoneNumberId,
    clock,
    log,
    onCommitted: () => hub.notify(),
    onQueued: () => dispatcher.wake(),
  });
  const sessions = createSessionFactory({
    store,
    hub,
    handleRequest,
    clock,
    log,
    settings: {
      heartbeatMs: config.heartbeatMs,
      deadAfterMs: config.deadAfterMs,
      maxFrameBytes: 256 * 1024,
      eventWindow: config.eventWindow,
      requestsPerSecond: 100,
      requestBurst: 200,
      maxBufferedBytes: 4 * 1024 * 1024,
    },
  });
  // One per process: several relay processes over the same data each throttle on their own (issue 17 shares it).
  const guard = createAuthGuard({ store, clock, log, ...(overrides.authGuard !== undefined && { settings: overrides.authGuard }) });
  const source = sourceOf(config.trustedProxies);
  const relayAuth = createRelayAuth({ settings: config.auth, store, clock, log, guard, sourceOf: source, ...overrides.auth });
  const auth = relayAuth.signIn;
  const sockets = createAgentSocketServer({ auth, sessions, log, guard, sourceOf: source });
  const poll = createLongPoll({
    auth,
    sessions,
    clock,
    log,
    guard,
    sourceOf: source,
    ...(overrides.pollHoldMs !== undefined && { holdMs: overrides.pollHoldMs }),
  });

  const webhookDeps: WebhookRouteDeps = {
    appSecret: config.whatsapp.appSecret,
    verifyToken: config.whatsapp.verifyToken,
    phoneNumberId: config.whatsapp.phoneNumberId,
    store,
    log,
    figures,
    now: () => clock.wallNow(),
    onCommitted: () => hub.notify(),
    onMedia: (media) => media.forEach((m) => void fetcher.fetch(m.mediaId, m.waMediaId)),
    onTemplatesChanged: () => {
      templates.invalidate();
      // Fetched now, so the next console asking finds the new list waiting; a failure is retried by that request.
      void templates.list().then((r) => {
        if (!r.ok) log.warn('whatsapp.templates_refresh_failed', { reason: r.error.message });
      });
    },
  };
  const mediaDeps: MediaRouteDeps = { store, files, fetcher, clock, log, guard, auth, sourceOf: source };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const { pathname } = url;
    const method = req.method ?? 'GET';
    if (sandbox !== null && pathname.startsWith('/sandbox/') && (await sandbox.handle(req, res, url))) return;
    if (pathname === '/healthz' && method === 'GET') {
      sendJson(res, 200, {
        status: 'ok',
        version: RELAY_VERSION,
        devices: hub.size,
        pendingOutbound: await store.pendingJobCount(),
        head: await store.head(),
        webhook: figuresSnapshot(figures),
      });
      return;
    }
    if (pathname === '/webhook') {
      if (method === 'GET') return handleWebhookVerify(url, res, webhookDeps);
      if (method === 'POST') return handleWebhookPost(req, res, webhookDeps);
    }
    if (pathname === '/v1/poll' && method === 'POST') return poll.open(req, res, url);
    const pollSession = /^\/v1\/poll\/([A-Za-z0-9-]{1,64})$/.exec(pathname);
    if (pollSession !== null) {
      if (method === 'GET') return poll.receive(req, res, pollSession[1]!);
      if (method === 'POST') return poll.send(req, res, pollSession[1]!);
    }
    if (await routeMedia(req, res, pathname, mediaDeps)) return;
    if (await relayAuth.routes(req, res, pathname)) return;
    sendError(res, 404, 'not_found', `no route for ${method} ${pathname.slice(0, 100)}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log.error('http.failed', { path: (req.url ?? '').split('?')[0], error: error instanceof Error ? error : String(error) });
      if (!res.headersSent) sendError(res, 500, 'internal', 'the relay failed to handle this request');
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    if (url.pathname !== '/v1/agent') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, url).catch((error: unknown) => {
      log.error('agent.upgrade_failed', { error: error instanceof Error ? error : String(error) });
      socket.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // long polls and large media legitimately take a while

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  baseUrl = `http://${host}:${port}`;

  await dispatcher.start();
  await cluster.start(() => {
    hub.notify();
    dispatcher.wake(); // a send another instance accepted may be on a number this one leads
  });
  await fetcher.resume();
  const pruneTimer = setInterval(() => {
    void store
      .pruneEvents(config.retainEvents)
      .catch((error: unknown) => log.error('events.prune_failed', { error: error instanceof Error ? error : String(error) }));
    poll.sweep();
    void store.pruneDeviceSessions(clock.wallNow()).catch((error: unknown) => log.error('sessions.prune_failed', { error: String(error) }));
  }, 60_000);
  pruneTimer.unref();
  // `agents revoke` (the CLI) or another relay process changes access in the same data: each process watches it.
  const stopAccessWatch = hub.watchAccess(store, { clock, log, intervalMs: ACCESS_WATCH_MS, deviceSessions: relayAuth.sessions });
  log.info('relay.started', { port, sandbox: config.sandbox, version: RELAY_VERSION });

  let closing: Promise<void> | null = null;
  return {
    url: baseUrl,
    port,
    store,
    sandbox,
    log,
    authGuard: guard,
    close: () => {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        stopAccessWatch();
        guard.close();
        hub.closeAll(CloseCode.relayRestarting, 'relay restarting');
        poll.closeAll();
        sockets.close();
        await dispatcher.stop();
        await cluster.stop();
        await fetcher.stop();
        await sandbox?.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await store.close();
        log.info('relay.stopped');
      })();
      return closing;
    },
  };
}

/** The request's URL; a path like "//x/y" stays a path (a plain URL parse would read "x" as a host). */
function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  return target.startsWith('/') ? new URL(`http://relay.invalid${target}`) : new URL(target, 'http://relay.invalid');
}

/** Defers creating the adapter until its first call. */
function lazyProvider(make: () => WhatsAppProvider): WhatsAppProvider {
  let real: WhatsAppProvider | null = null;
  const get = () => (real ??= make());
  return {
    sendMessage: (send) => get().sendMessage(send),
    uploadMedia: (file, from) => get().uploadMedia(file, from),
    fetchMedia: (id) => get().fetchMedia(id),
    listTemplates: () => get().listTemplates(),
    markRead: (wamid, from) => get().markRead(wamid, from),
  };
}
