// The relay's figures in Prometheus form (/metrics): one registry per relay, fed by wrappers around its store, WhatsApp
// adapter and session factory, and read from the store, the hub and the webhook's tallies when scraped.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionFactory } from './relay-sessions';
import type { SessionHub } from './session-hub';
import type { RelayStore } from './store/relay-store';
import type { WebhookFigures } from './webhook/webhook-figures';
import type { WhatsAppProvider } from './whatsapp/provider';

/** What a scrape reads at the moment it asks. */
export interface ScrapeSources {
  readonly store: Pick<RelayStore, 'pendingJobCount' | 'head' | 'oldest'>;
  readonly hub: Pick<SessionHub, 'size'>;
  readonly webhook: WebhookFigures;
}

export interface RelayMetrics {
  /** This relay's own figures; `exposition` adds the process's. */
  readonly registry: Registry;
  /** The store, each call timed and its failures counted by method name (a fixed set: never an id or a value). */
  timedStore<T extends object>(store: T): T;
  /** The WhatsApp adapter, each Graph API call timed and each send's outcome counted. */
  timedProvider(provider: WhatsAppProvider): WhatsAppProvider;
  /** The session factory, each session counted by transport and protocol version while it is open. */
  countedSessions(factory: SessionFactory): SessionFactory;
  /** Starts reading queue depth, the log's ends, devices and webhook tallies at each scrape. */
  observe(sources: ScrapeSources): void;
  /** The text a scraper gets, and its content type. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

/** Graph API calls take tens of milliseconds to the request timeout (15 s by default). */
const GRAPH_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** Store calls are usually sub-millisecond on SQLite, milliseconds on a network database. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/**
 * prom-client's process figures (memory, CPU, event loop, GC) describe the process, not a relay, and start monitors
 * that are never stopped: collected once per process and merged into each relay's answer, so a test process that
 * starts fifty relays starts them once.
 */
let processRegistry: Registry | null = null;
function processFigures(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createRelayMetrics(version: string): RelayMetrics {
  const registry = new Registry();
  new Gauge({ name: 'relay_info', help: 'The running relay; always 1, its version as a label', labelNames: ['version'], registers: [registry] }).set(
    { version },
    1,
  );

  const storeSeconds = new Histogram({
    name: 'relay_store_call_duration_seconds',
    help: 'Time taken by calls into the relay store (database), by store method',
    labelNames: ['method'],
    buckets: STORE_BUCKETS,
    registers: [registry],
  });
  const storeFailures = new Counter({
    name: 'relay_store_call_failures_total',
    help: 'Store calls that threw or rejected, by store method',
    labelNames: ['method'],
    registers: [registry],
  });
  const graphSeconds = new Histogram({
    name: 'relay_graph_request_duration_seconds',
    help: 'Time taken by WhatsApp Graph API calls, by operation',
    labelNames: ['operation'],
    buckets: GRAPH_BUCKETS,
    registers: [registry],
  });
  const sends = new Counter({
    name: 'relay_whatsapp_sends_total',
    help: 'Send attempts to WhatsApp by outcome: sent (Meta accepted it), failed (for good), retried (to be tried again)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const sessions = new Gauge({
    name: 'relay_sessions',
    help: 'Open agent sessions by transport (ws, poll) and protocol version',
    labelNames: ['transport', 'protocol'],
    registers: [registry],
  });

  function timed<T>(record: (seconds: number, failed: boolean) => void, call: () => T): T {
    const started = process.hrtime.bigint();
    const done = (failed: boolean) => record(Number(process.hrtime.bigint() - started) / 1e9, failed);
    let result: T;
    try {
      result = call();
    } catch (error) {
      done(true);
      throw error;
    }
    if (result instanceof Promise) {
      result.then(
        () => done(false),
        () => done(true),
      );
    } else {
      done(false);
    }
    return result;
  }

  return {
    registry,

    timedStore<T extends object>(store: T): T {
      const record = (method: string) => (seconds: number, failed: boolean) => {
        storeSeconds.observe({ method }, seconds);
        if (failed) storeFailures.inc({ method });
      };
      return new Proxy(store, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property);
          if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
          return (...args: unknown[]): unknown => timed(record(property), () => Reflect.apply(value, target, args));
        },
      });
    },

    timedProvider(provider) {
      const graph = (operation: string) => (seconds: number) => graphSeconds.observe({ operation }, seconds);
      return {
        sendMessage: async (send) => {
          const outcome = await timed(graph('send_message'), () => provider.sendMessage(send));
          sends.inc({ outcome: outcome.kind === 'accepted' ? 'sent' : outcome.kind === 'failed' ? 'failed' : 'retried' });
          return outcome;
        },
        uploadMedia: (file, from) => timed(graph('upload_media'), () => provider.uploadMedia(file, from)),
        fetchMedia: (id) => timed(graph('fetch_media'), () => provider.fetchMedia(id)),
        listTemplates: () => timed(graph('list_templates'), () => provider.listTemplates()),
        markRead: (wamid, from) => timed(graph('mark_read'), () => provider.markRead(wamid, from)),
      };
    },

    countedSessions(factory) {
      return {
        refusal: (agentId, deviceId, source) => factory.refusal(agentId, deviceId, source),
        create(input) {
          const labels = { transport: input.transportName, protocol: String(input.protocol) };
          let open = true;
          // Every way a session ends (closed, superseded, revoked, dead link) goes through its transport's close.
          const transport = {
            send: (text: string) => input.transport.send(text),
            bufferedBytes: () => input.transport.bufferedBytes(),
            close: (code: number, reason: string) => {
              if (open) sessions.dec(labels);
              open = false;
              input.transport.close(code, reason);
            },
          };
          sessions.inc(labels);
          try {
            return factory.create({ ...input, transport });
          } catch (error) {
            if (open) sessions.dec(labels);
            open = false;
            throw error;
          }
        },
      };
    },

    observe({ store, hub, webhook }) {
      observeGauge(registry, 'relay_outbound_queue_depth', 'Messages queued for WhatsApp and not yet sent or failed', () => store.pendingJobCount());
      observeGauge(registry, 'relay_event_log_head', 'The seq of the newest event in the log', () => store.head());
      observeGauge(registry, 'relay_event_log_oldest', 'The seq of the oldest event the log still keeps (older cursors resync)', () => store.oldest());
      observeGauge(registry, 'relay_devices_connected', 'Devices with an open session on this relay (one per agent and device)', () => hub.size);
      observeGauge(
        registry,
        'relay_webhook_other_numbers',
        'Business numbers this relay does not serve that webhooks named (a count, never the numbers)',
        () => webhook.otherNumbers.size,
      );
      observeCounter(registry, 'relay_webhook_deliveries_total', 'Webhook deliveries by outcome: accepted (200) or refused', 'outcome', () => ({
        accepted: webhook.accepted,
        refused: webhook.refused,
      }));
      observeCounter(
        registry,
        'relay_webhook_items_total',
        "Webhook items by outcome: accepted (filed), skipped (unreadable or unfileable), other_number (a number this relay doesn't serve)",
        'outcome',
        () => ({ accepted: webhook.acceptedItems, skipped: webhook.skippedItems, other_number: webhook.otherNumberItems }),
      );
      observeCounter(registry, 'relay_webhook_delivery_errors_total', "Entries of deliveries' errors arrays (Meta's problems with a delivery)", null, () => ({
        '': webhook.deliveryErrors,
      }));
    },

    async exposition() {
      const merged = Registry.merge([registry, processFigures()]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}

/** A gauge read when scraped; a read that fails shows NaN, not a reassuring 0 (the store's failure counter says why). */
function observeGauge(registry: Registry, name: string, help: string, read: () => number | Promise<number>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      try {
        this.set(await read());
      } catch {
        this.set(Number.NaN);
      }
    },
  });
}

/** A counter whose totals another part keeps (the webhook's tallies): copied in when scraped. */
function observeCounter(registry: Registry, name: string, help: string, label: string | null, read: () => Record<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: label === null ? [] : [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, total] of Object.entries(read())) {
        if (label === null) this.inc(total);
        else this.inc({ [label]: value }, total);
      }
    },
  });
}
