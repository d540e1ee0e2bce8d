// Scenario 7 (second half): the console core under a bounded soak of mixed traffic, its RSS sampled every second.
import { nowMs, sleep } from '../lib/clock';
import { customerWaId } from '../lib/generate';
import { startStack } from '../lib/stack';
import { inboundBody, postWebhook } from '../lib/webhook';

export interface SoakResult {
  seconds: number;
  finalRssMb: number;
  minRssMb: number;
  maxRssMb: number;
  finalHeapMb: number;
  inbound: number;
  replies: number;
  reads: number;
  reconnects: number;
  errors: number;
}

const CUSTOMERS = 100;
const TICK_MS = 50; // 20 inbound messages a second

/**
 * Mixed traffic: 20 inbound webhooks/s from 100 customers; 5 agent replies/s (fake WhatsApp then reports sent,
 * delivered, read); the UI's reads once a second (list + a page of messages); a reconnect every `reconnectEveryMs`.
 */
export async function soakRun(durationMs: number, reconnectEveryMs: number): Promise<SoakResult> {
  const stack = await startStack('soak');
  try {
    const rss: number[] = [];
    let inbound = 0;
    let replies = 0;
    let reads = 0;
    let reconnects = 0;
    let errors = 0;
    let conversationIds: string[] = [];
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      const tracked = p.catch(() => void (errors += 1)).finally(() => pending.delete(tracked));
      pending.add(tracked);
    };
    const started = nowMs();
    let nextReconnect = started + reconnectEveryMs;
    for (let tick = 0; nowMs() - started < durationMs; tick++) {
      const due = started + tick * TICK_MS;
      if (due > nowMs()) await sleep(due - nowMs());
      const c = tick % CUSTOMERS;
      track(
        postWebhook(
          stack.relayUrl,
          inboundBody({
            wamid: `wamid.soak.${tick}`,
            from: customerWaId(2000 + c),
            name: `Soak ${c}`,
            text: `Soak message ${tick}: could you check my last transfer, thanks`,
          }),
        ).then(() => void (inbound += 1)),
      );
      if (tick % 4 === 0 && conversationIds.length > 0) {
        const conversationId = conversationIds[tick % conversationIds.length]!;
        track(
          stack.console
            .call<{ ok: boolean }>('call', { method: 'messages.sendText', input: { conversationId, body: `Reply ${tick}: we are looking into it.` } })
            .then((r) => {
              if (r.ok) replies += 1;
              else errors += 1;
            }),
        );
      }
      if (tick % 20 === 0) {
        const listed = await stack.console.call<{ ok: boolean; value?: { items: { conversation: { id: string } }[] } }>('call', {
          method: 'conversations.list',
          input: { filter: 'all', limit: 50, offset: 0 },
        });
        if (listed.ok && listed.value !== undefined) {
          conversationIds = listed.value.items.map((s) => s.conversation.id);
          const first = conversationIds[0];
          if (first !== undefined) await stack.console.call('call', { method: 'messages.page', input: { conversationId: first, limit: 50 } });
          reads += 1;
        }
        rss.push((await stack.console.call<{ rss: number }>('memory')).rss / 2 ** 20);
      }
      if (nowMs() >= nextReconnect) {
        nextReconnect += reconnectEveryMs;
        await stack.console.call('disconnect');
        await stack.console.call('reconnect');
        reconnects += 1;
      }
    }
    await Promise.allSettled([...pending]);
    await sleep(1_000); // statuses and replies in flight settle
    const memory = await stack.console.call<{ rss: number; heapUsed: number }>('memory');
    rss.push(memory.rss / 2 ** 20);
    return {
      seconds: (nowMs() - started) / 1000,
      finalRssMb: memory.rss / 2 ** 20,
      minRssMb: Math.min(...rss),
      maxRssMb: Math.max(...rss),
      finalHeapMb: memory.heapUsed / 2 ** 20,
      inbound,
      replies,
      reads,
      reconnects,
      errors,
    };
  } finally {
    await stack.close();
  }
}
