// The relay's --sandbox mode: a fake Meta (Graph API + simulated customers) mounted on the relay's own HTTP server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../shared/clock';
import { createCustomerDirectory } from './customers';
import { createFakeGraph, GRAPH_PATH_PREFIX } from './fake-graph';
import { NO_FAULT, parseFaultRequest, takeFault, type GraphFault } from './faults';
import { readJson, sendJson } from './http-io';
import { createLedger, type LedgerEntry, type ReadReceipt } from './ledger';
import { createMediaStore } from './media-store';
import { openSandboxDatabase } from './sandbox-db';
import { newWamid } from './sandbox-ids';
import { checkInboundInput, type InboundKind } from './inbound-input';
import { inboundWebhookBody } from './webhook-payloads';
import { createAger } from './age-route';
import { businessNumbers, DEFAULT_DISPLAY_PHONE_NUMBER, DEMO_NORTH_NUMBER } from './business-numbers';
import { createWebhookOutbox, type AttemptResult } from './webhook-outbox';

export type { LedgerEntry, ReadReceipt } from './ledger';
export type { GraphFault, FaultMode } from './faults';

/**
 * A customer writes in (POST /sandbox/inbound takes the same JSON). `from` is their phone number, `bsuid` their
 * business-scoped user id: give either or both (a BSUID alone plays a user whose number WhatsApp withholds). What they
 * send: `text`; or a `kind` (Meta's documented examples; `edit` and `delete` change `targetWamid`, an edit to `text`);
 * or a raw Meta `message` object (`type` and its payload). `groupId` makes it a message in that WhatsApp group.
 */
export interface SandboxInboundInput {
  readonly from?: string;
  readonly bsuid?: string;
  readonly username?: string;
  readonly name: string;
  readonly text?: string;
  readonly kind?: InboundKind;
  readonly message?: Readonly<Record<string, unknown>>;
  readonly targetWamid?: string;
  readonly contextWamid?: string;
  readonly groupId?: string;
  /** Which of our numbers they write to (phone_number_id); the configured one when absent. */
  readonly to?: string;
}

export interface SandboxOptions {
  /** The sandbox keeps dataDir/sandbox.db (ledger, media, pending webhooks). */
  dataDir: string;
  /** Signs webhooks: X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body)>. */
  appSecret: string;
  /** The bearer token the fake Graph API requires. */
  accessToken: string;
  phoneNumberId: string;
  businessAccountId: string;
  displayPhoneNumber?: string;
  /** Further business numbers fake WhatsApp serves; by default the demo's second number (team North branch). */
  moreNumbers?: readonly { phoneNumberId: string; displayPhoneNumber: string }[];
  /** Called after the sandbox changed the relay's data itself (POST /sandbox/age): the relay wakes its devices. */
  onRelayDataChanged?: () => void;
  /** The relay's /webhook, resolved lazily (the port is known only after listen); null until then. Must be a loopback URL. */
  webhookUrl: () => string | null;
  clock?: Clock;
  timing?: {
    /** Between accept and "sent", and between sent, delivered and read. Default 300. */
    statusDelayMs?: number;
    /** From accept to a customer's answer to a question. Default 1500. */
    replyDelayMs?: number;
    /** First retry of a refused webhook; doubles per attempt, capped at 30 s. Default 1000. */
    webhookRetryMs?: number;
    /** How long one webhook POST may take before it counts as failed. Default 10000. */
    webhookTimeoutMs?: number;
  };
}

export interface Sandbox {
  readonly graphPathPrefix: '/sandbox/graph';
  /** Serves the sandbox routes; resolves false if the request is not a sandbox route (so the relay can route it elsewhere). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Same as POST /sandbox/inbound: resolves once the relay answered 2xx; rejects with SandboxInboundError otherwise. */
  injectInbound(input: SandboxInboundInput): Promise<{ wamid: string }>;
  /**
   * Same as GET /sandbox/outbound: every accepted send to `to` (phone number, BSUID or group id), in arrival order,
   * duplicates included; `from` keeps only those that left from that number of ours.
   */
  outbound(to: string, from?: string): LedgerEntry[];
  /** The business numbers fake WhatsApp serves (phone_number_id), the configured one first. */
  readonly numbers: readonly string[];
  /** Mark-read requests the fake Graph API received, oldest first. */
  readReceipts(): ReadReceipt[];
  /** Webhooks written but not yet acknowledged by the relay (scheduled or being retried). */
  pendingWebhooks(): number;
  /** Stops timers, aborts in-flight webhook POSTs, releases hung requests and closes the database; pending webhooks stay persisted. */
  close(): Promise<void>;
}

/** Why an injected inbound message was not (yet) accepted by the relay. */
export class SandboxInboundError extends Error {
  constructor(
    readonly code: 'invalid_input' | 'relay_refused' | 'relay_unreachable' | 'closed',
    message: string,
    /** Set when the message was sent: the sandbox keeps retrying it, as Meta would. */
    readonly wamid: string | null = null,
  ) {
    super(message);
    this.name = 'SandboxInboundError';
  }
}

const MAX_WEBHOOKS_IN_FLIGHT = 4;
const WEBHOOK_RETRY_CAP_MS = 30_000;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`sandbox timing.${name} must be a finite number >= 0, got ${v}`);
  return v;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const clock = options.clock ?? systemClock;
  const statusDelayMs = nonNegative('statusDelayMs', options.timing?.statusDelayMs, 300);
  const replyDelayMs = nonNegative('replyDelayMs', options.timing?.replyDelayMs, 1500);
  const webhookRetryMs = Math.max(1, nonNegative('webhookRetryMs', options.timing?.webhookRetryMs, 1000));
  const webhookTimeoutMs = Math.max(1, nonNegative('webhookTimeoutMs', options.timing?.webhookTimeoutMs, 10_000));
  for (const key of ['appSecret', 'accessToken', 'phoneNumberId', 'businessAccountId'] as const) {
    if (options[key].length === 0) throw new RangeError(`sandbox option ${key} must not be empty`);
  }
  const numbers = businessNumbers(
    options.businessAccountId,
    { phoneNumberId: options.phoneNumberId, displayPhoneNumber: options.displayPhoneNumber ?? DEFAULT_DISPLAY_PHONE_NUMBER },
    options.moreNumbers ?? [DEMO_NORTH_NUMBER],
  );
  const ager = createAger(options.dataDir, numbers, () => options.onRelayDataChanged?.());

  const db = openSandboxDatabase(options.dataDir);
  const ledger = createLedger(db);
  const customers = createCustomerDirectory(db);
  const outbox = createWebhookOutbox({
    db,
    clock,
    appSecret: options.appSecret,
    webhookUrl: options.webhookUrl,
    retryBaseMs: webhookRetryMs,
    retryCapMs: WEBHOOK_RETRY_CAP_MS,
    requestTimeoutMs: webhookTimeoutMs,
    maxInFlight: MAX_WEBHOOKS_IN_FLIGHT,
  });
  outbox.activate([]); // resumes deliveries a previous run left pending

  let fault: GraphFault = NO_FAULT;
  let closed = false;
  const held = new Set<ServerResponse>();

  const graph = createFakeGraph({
    db,
    ledger,
    media: createMediaStore(db),
    outbox,
    customers,
    clock,
    numbers,
    accessToken: options.accessToken,
    statusDelayMs,
    replyDelayMs,
    takeFault: () => {
      const taken = takeFault(fault);
      fault = taken.next;
      return taken.now;
    },
    holdForever: (req, res) => {
      held.add(res);
      req.socket.once('close', () => held.delete(res));
    },
  });

  const injectInbound = async (input: unknown): Promise<{ wamid: string }> => {
    if (closed) throw new SandboxInboundError('closed', 'the sandbox is closed');
    const checked = checkInboundInput(input);
    if (!checked.ok) throw new SandboxInboundError('invalid_input', checked.error.message);
    const { sender, message, contextWamid, groupId, to } = checked.value;
    const identity = to === null ? numbers.primary : numbers.get(to);
    if (identity === undefined) throw new SandboxInboundError('invalid_input', `"to" must be one of the sandbox's numbers: ${numbers.ids.join(', ')}`);
    const wamid = newWamid();
    const now = clock.wallNow();
    const body = inboundWebhookBody(identity, { wamid, sender, timestampMs: now, message, contextWamid, groupId });
    const queued = db.transaction(() => {
      customers.remember(sender);
      if (groupId !== null) customers.rememberGroup(groupId, now);
      return outbox.insert([{ kind: 'inbound', chain: null, delayMs: 0, body }]);
    })();
    const first = queued[0];
    if (first === undefined) throw new Error('outbox insert returned nothing');
    outbox.activate(queued);
    const result = await outbox.nextAttempt(first.id);
    if (!result.ok) throw inboundFailure(result, wamid);
    return { wamid };
  };

  const handleInbound = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const json = await readJson(req, res);
    if (json === undefined) return;
    try {
      sendJson(res, 200, await injectInbound(json));
    } catch (error) {
      if (!(error instanceof SandboxInboundError)) throw error;
      const status = error.code === 'invalid_input' ? 400 : error.code === 'closed' ? 503 : 502;
      sendJson(res, status, { error: { code: error.code, message: error.message, ...(error.wamid === null ? {} : { wamid: error.wamid, retrying: true }) } });
    }
  };

  const handleFaults = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET') return sendJson(res, 200, { graph: fault });
    const json = await readJson(req, res);
    if (json === undefined) return;
    const parsed = parseFaultRequest(json);
    if (!parsed.ok) return sendJson(res, 400, { error: { code: 'invalid_input', message: parsed.error.message } });
    fault = parsed.value;
    sendJson(res, 200, { graph: fault });
  };

  const handleAge = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const json = await readJson(req, res);
    if (json === undefined) return;
    const aged = await ager.age(json, clock.wallNow());
    if (aged.ok) return sendJson(res, 200, { conversation: aged.value });
    sendJson(res, aged.error.code === 'not_found' ? 404 : 400, { error: { code: aged.error.code, message: aged.error.message } });
  };

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    if (closed) return sendJson(res, 503, { error: { code: 'unavailable', message: 'the sandbox is closed' } });
    if (url.pathname === GRAPH_PATH_PREFIX || url.pathname.startsWith(`${GRAPH_PATH_PREFIX}/`)) return graph.handle(req, res, url);
    if (url.pathname === '/sandbox/inbound' && method === 'POST') return handleInbound(req, res);
    if (url.pathname === '/sandbox/age' && method === 'POST') return handleAge(req, res);
    if (url.pathname === '/sandbox/faults' && (method === 'POST' || method === 'GET')) return handleFaults(req, res);
    if (url.pathname === '/sandbox/outbound' && method === 'GET') {
      const to = url.searchParams.get('to');
      if (to === null || to.length === 0 || to.length > 256) {
        return sendJson(res, 400, { error: { code: 'invalid_input', message: '"to" must be a phone number, a BSUID or a group id' } });
      }
      return sendJson(res, 200, { messages: sentTo(to, url.searchParams.get('from') ?? undefined) });
    }
    sendJson(res, 404, { error: { code: 'not_found', message: 'no such sandbox route' } });
  };

  const sentTo = (to: string, from?: string): LedgerEntry[] => ledger.sentTo(to).filter((e) => from === undefined || e.from === from);

  return {
    graphPathPrefix: GRAPH_PATH_PREFIX,
    numbers: numbers.ids,
    async handle(req, res, url) {
      if (url.pathname !== '/sandbox' && !url.pathname.startsWith('/sandbox/')) return false;
      try {
        await route(req, res, url);
      } catch {
        // Deliberately no detail: it could carry a message body or a phone number.
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'the sandbox failed to handle this request' } });
        else res.destroy();
      }
      return true;
    },
    injectInbound,
    outbound: (to, from) => (closed ? [] : sentTo(to, from)),
    readReceipts: () => (closed ? [] : ledger.readReceipts()),
    pendingWebhooks: () => outbox.pendingCount(),
    async close() {
      if (closed) return;
      closed = true;
      for (const res of held) res.destroy();
      held.clear();
      await outbox.close();
      await ager.close();
      db.close();
    },
  };
}

function inboundFailure(result: Exclude<AttemptResult, { ok: true }>, wamid: string): SandboxInboundError {
  switch (result.reason) {
    case 'refused':
      return new SandboxInboundError('relay_refused', `the relay answered HTTP ${result.httpStatus}; the sandbox will keep retrying`, wamid);
    case 'closed':
      return new SandboxInboundError('closed', 'the sandbox closed before the relay answered', wamid);
    case 'bad_url':
      return new SandboxInboundError('relay_unreachable', 'the webhook URL is not a loopback http(s) URL; the sandbox will keep retrying', wamid);
    case 'timeout':
    case 'unreachable':
    case 'not_ready':
      return new SandboxInboundError('relay_unreachable', `the relay did not answer (${result.reason}); the sandbox will keep retrying`, wamid);
  }
}
