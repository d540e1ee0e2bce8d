// Assembles the relay: store, WhatsApp adapter, outbound queue, agent transports and HTTP routes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../shared/clock';
import { MAX_OUTBOUND_MEDIA_BYTES } from '../shared/media-limits';
import { CloseCode } from '../shared/protocol';
import { createMethodHandler } from './agent-methods';
import { sourceOf, trustedProxyCheck } from './agent-handshake';
import { AgentLimits } from './agent-limits';
import { createAuthGuard } from './auth/auth-guard';
import { createRelayCluster } from './cluster/relay-cluster';
import { createRelayAuth } from './auth/relay-auth';
import { doorServerOptions, guardDoors } from './http-doors';
import { requestUrl, sendError, sendJson } from './http-util';
import { clusterMembership } from './cluster-membership';
import { createLogger, phonePseudonymizer } from './log';
import { createLongPoll } from './long-poll';
import { createRelayMetrics } from './metrics';
import { handleMetrics } from './metrics-route';
import { MediaFetcher } from './media-fetcher';
import { mediaFilesFor } from './media-placement';
import { routeMedia, type MediaRouteDeps } from './media-routes';
import { OutboundDispatcher } from './outbound-dispatcher';
import type { RelayConfig } from './relay-config';
import { createSessionFactory } from './relay-sessions';
import { createSandbox } from './sandbox/sandbox';
import { SessionHub } from './session-hub';
import { openRelayStore } from './store/open-relay-store';
import { createWebhookFigures } from './webhook/webhook-figures';
import { handleWebhookPost, handleWebhookVerify, type WebhookRouteDeps } from './webhook/webhook-route';
import { createCloudApiProvider } from './whatsapp/cloud-api';
import { createTemplateCache } from './whatsapp/template-cache';
import type { WhatsAppProvider } from './whatsapp/provider';
import { createSendRateLimiter } from './domain/send-rate-limit';
import { createAgentSocketServer, routeUpgrades } from './ws-transport';
import { startUploadExpiry } from './upload-expiry';
import { UploadQuota } from './upload-quota';

export const RELAY_VERSION = '0.1.0';

/** How often uploads never sent are looked for (each process; the store's delete is safe to race). */
const UPLOAD_SWEEP_MS = 10 * 60_000;
/** How often each process reads the access_version of the agents it serves: a revoked agent is cut off within this. */
const ACCESS_WATCH_MS = 1_000;

export type { Relay, RelayOverrides } from './relay-types';
import type { Relay, RelayOverrides } from './relay-types';

export async function startRelay(config: RelayConfig, overrides: RelayOverrides = {}): Promise<Relay> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? Math.random;
  const metrics = createRelayMetrics(RELAY_VERSION);
  const opened = await openRelayStore({ dataDir: config.dataDir, database: config.database, phoneNumberId: config.whatsapp.phoneNumberId });
  const { db } = opened;
  const store = metrics.timedStore(opened.store);
  const salt = await store.getOrCreateMeta('log_salt', () => randomBytes(16).toString('hex'));
  const log = createLogger({
    level: config.logLevel,
    write: overrides.writeLog ?? ((line) => process.stderr.write(line)),
    pseudonym: phonePseudonymizer(salt),
  });
  const hub = new SessionHub();
  const cluster = createRelayCluster({ db, clock, log, settings: config.instance });
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
  const graphApi =
    overrides.provider ??
    (config.sandbox && config.whatsapp.graphUrl === '' ? lazyProvider(() => cloudApi(`${baseUrl}/sandbox/graph`)) : cloudApi(config.whatsapp.graphUrl));
  const provider = metrics.timedProvider(graphApi);

  const files = mediaFilesFor(db, config.dataDir);
  const backoff = { baseMs: config.retryBaseMs, capMs: 60_000, resetAfterMs: 60_000 };
  const fetcher = new MediaFetcher({ store, provider, files, clock, log, backoff, random, maxAttempts: 8 });
  // Among several instances: wake-ups from the others' commits, and the numbers this one sends for.
  const membership = clusterMembership(db, { store, clock, log, takeOver: (number) => dispatcher.takeOver(number) });
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
    leadership: membership.leadership,
  });
  const templates = createTemplateCache(provider, clock);
  const figures = createWebhookFigures();
  metrics.observe({ store, hub, webhook: figures });
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
  const sessionFactory = createSessionFactory({
    store,
    hub,
    handleRequest,
    clock,
    log,
    newSessionId: cluster.newSessionId,
    settings: {
      heartbeatMs: config.heartbeatMs,
      deadAfterMs: config.deadAfterMs,
      maxFrameBytes: 256 * 1024,
      eventWindow: config.eventWindow,
      requestsPerSecond: config.limits.deviceRequestsPerSecond,
      requestBurst: config.limits.deviceRequestBurst,
      maxBufferedBytes: 4 * 1024 * 1024,
    },
    limits: new AgentLimits(config.limits, clock, hub, log),
  });
  const sessions = metrics.countedSessions(sessionFactory);
  // One per process: several relay processes over the same data each throttle on their own (issue 17 shares it).
  const guard = createAuthGuard({ store, clock, log, ...(overrides.authGuard !== undefined && { settings: overrides.authGuard }) });
  const source = cluster.trustingForwards(sourceOf(config.trustedProxies));
  const relayAuth = createRelayAuth({ settings: config.auth, store, clock, log, guard, sourceOf: source, ...overrides.auth });
  const auth = relayAuth.signIn;
  const pollHome = cluster.pollForwarder({ auth, guard, sourceOf: source });
  const sockets = createAgentSocketServer({ auth, sessions, log, guard, sourceOf: source });
  const poll = createLongPoll({
    auth,
    sessions,
    clock,
    log,
    guard,
    sourceOf: source,
    limits: { uncollectedMs: config.limits.pollUncollectedMs, perAgent: config.limits.pollSessionsPerAgent },
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
  const quota = new UploadQuota(config.limits, store, clock);
  const mediaDeps: MediaRouteDeps = { store, files, fetcher, clock, log, guard, auth, sourceOf: source, quota };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const { pathname } = url;
    const method = req.method ?? 'GET';
    if (sandbox !== null && pathname.startsWith('/sandbox/') && (await sandbox.handle(req, res, url))) return;
    // Liveness only, for anyone (load balancers): the figures are on /metrics, behind its token.
    if (pathname === '/healthz' && method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/metrics' && method === 'GET') return handleMetrics(req, res, { token: config.metrics.token, metrics, guard, sourceOf: source });
    if (pathname === '/webhook') {
      if (method === 'GET') return handleWebhookVerify(url, res, webhookDeps);
      if (method === 'POST') return handleWebhookPost(req, res, webhookDeps);
    }
    if (pathname === '/v1/poll' && method === 'POST') return poll.open(req, res, url);
    const pollSession = /^\/v1\/poll\/([A-Za-z0-9-]{1,64})$/.exec(pathname);
    if (pollSession !== null) {
      if (await pollHome.handle(req, res, pollSession[1]!)) return;
      if (method === 'GET') return poll.receive(req, res, pollSession[1]!);
      if (method === 'POST') return poll.send(req, res, pollSession[1]!);
    }
    if (await routeMedia(req, res, pathname, mediaDeps)) return;
    if (await relayAuth.routes(req, res, pathname)) return;
    sendError(res, 404, 'not_found', `no route for ${method} ${pathname.slice(0, 100)}`);
  }

  const doorSettings = { ...config.limits, maxUploadBytes: MAX_OUTBOUND_MEDIA_BYTES };
  const server = createServer(doorServerOptions(doorSettings), (req, res) => {
    if (!doors.admit(req, res, req.method ?? 'GET', requestUrl(req).pathname)) return;
    route(req, res).catch((error: unknown) => {
      if (doors.timedOut(req)) return; // answered 408 already; the route saw its body end early
      log.error('http.failed', { path: (req.url ?? '').split('?')[0], error: error instanceof Error ? error : String(error) });
      if (!res.headersSent) sendError(res, 500, 'internal', 'the relay failed to handle this request');
      else res.destroy();
    });
  });
  const doors = guardDoors(server, { settings: doorSettings, clock, log, sourceOf: source, isTrustedProxy: trustedProxyCheck(config.trustedProxies) });
  routeUpgrades(server, { admit: (req, socket) => doors.admitUpgrade(req, socket), sockets, log });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  baseUrl = `http://${host}:${port}`;

  await cluster.start(config.host, port);
  await dispatcher.start();
  await membership.start(() => {
    hub.notify();
    dispatcher.wake(); // a send another instance accepted may be on a number this one leads
  });
  await fetcher.resume();
  const uploadExpiry = startUploadExpiry({ store, files, clock, log, expiryHours: config.limits.uploadExpiryHours, intervalMs: UPLOAD_SWEEP_MS });
  const pruneTimer = setInterval(() => {
    void store
      .pruneEvents(config.retainEvents)
      .catch((error: unknown) => log.error('events.prune_failed', { error: error instanceof Error ? error : String(error) }));
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
        await membership.stop();
        await fetcher.stop();
        await uploadExpiry.stop();
        await sandbox?.close();
        await cluster.stop();
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
