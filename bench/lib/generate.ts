// Inbound traffic for the benches: customers' text messages as webhook batches, written through a relay store.
import type { RelayStore } from '../../src/relay/store/relay-store';
import type { InboundItem, WebhookBatch } from '../../src/relay/domain/webhook-types';

/** A delivery with nothing but messages in it. */
const EMPTY_BATCH: WebhookBatch = { messages: [], revisions: [], statuses: [], accountEvents: [], errors: [], skipped: [] };

export const PHONE_NUMBER_ID = '106540352242922';

export interface GenerateOptions {
  /** Inbound messages to write. */
  messages: number;
  /** Messages per webhook batch (one transaction each). */
  perBatch: number;
  /** Distinct customers a batch spreads over (each touched customer adds one conversation.upserted event). */
  customersPerBatch: number;
  /** Distinct customers overall. */
  customers: number;
  /** Makes wamids unique across calls. */
  tag: string;
}

export function customerWaId(index: number): string {
  return `97250${String(index).padStart(7, '0')}`;
}

export function messageText(n: number): string {
  return `Message ${n}: hello, I need a copy of my loan statement for March. Reference BR-${(n * 7919) % 100_000}.`;
}

/** The batches, built lazily so 100,000 messages never sit in memory at once. */
export function* batches(options: GenerateOptions): Generator<WebhookBatch> {
  const seconds = Math.floor(Date.now() / 1000) * 1000;
  let written = 0;
  let batchIndex = 0;
  while (written < options.messages) {
    const size = Math.min(options.perBatch, options.messages - written);
    const first = (batchIndex * options.customersPerBatch) % options.customers;
    const messages: InboundItem[] = [];
    for (let i = 0; i < size; i++) {
      const n = written + i;
      const customer = (first + (i % options.customersPerBatch)) % options.customers;
      messages.push({
        wamid: `wamid.bench.${options.tag}.${n}`,
        from: { waId: customerWaId(customer), bsuid: null, username: null, profileName: `Customer ${customer}` },
        timestamp: seconds,
        content: { type: 'text', body: messageText(n) },
        contextWamid: null,
        phoneNumberId: PHONE_NUMBER_ID,
        groupId: null,
      });
    }
    yield { ...EMPTY_BATCH, messages };
    written += size;
    batchIndex += 1;
  }
}

/** Writes the batches in bulk; returns how many messages were written. */
export async function writeInbound(store: RelayStore, options: GenerateOptions): Promise<number> {
  let count = 0;
  for (const batch of batches(options)) {
    await store.recordWebhook(batch, Date.now());
    count += batch.messages.length;
  }
  return count;
}

/** Batch sizes that give exactly `events` events: each batch is perBatch messages plus one event per customer touched. */
export function planForEvents(events: number, customersPerBatch: number, eventsPerBatch = 1_000): { messages: number; perBatch: number } {
  if (events % eventsPerBatch !== 0) throw new Error(`events must be a multiple of ${eventsPerBatch}`);
  const perBatch = eventsPerBatch - customersPerBatch;
  return { messages: (events / eventsPerBatch) * perBatch, perBatch };
}
