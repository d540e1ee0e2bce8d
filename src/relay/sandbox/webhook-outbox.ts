// Durable, signed, retried webhook deliveries to the relay, with a small bound on concurrent POSTs.
import { createHmac } from 'node:crypto';
import type { Clock } from '../../shared/clock';
import { backoffCeilingMs, type BackoffPolicy } from '../../shared/backoff';
import { z } from 'zod';
import { parseRow, parseRows } from '../../node-shared/stored-row';
import type { SandboxDatabase } from './sandbox-db';

export interface NewDelivery {
  readonly kind: 'status' | 'inbound';
  /**
   * Deliveries sharing a chain go out one after another (sent → delivered → read → reply for one
   * wamid), so a retried "sent" is never overtaken by its own "read". Null: no ordering.
   */
  readonly chain: string | null;
  readonly delayMs: number;
  /** The exact bytes to sign and POST, identical on every retry. */
  readonly body: string;
}

export interface QueuedDelivery {
  readonly id: number;
  readonly chain: string | null;
  readonly delayMs: number;
}

export type AttemptResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'refused'; readonly httpStatus: number }
  | { readonly ok: false; readonly reason: 'unreachable' | 'timeout' | 'closed' | 'bad_url' | 'not_ready' };

export interface WebhookOutboxOptions {
  readonly db: SandboxDatabase;
  readonly clock: Clock;
  readonly appSecret: string;
  /** Null while the relay is not listening yet: deliveries then wait without counting a failed attempt. */
  readonly webhookUrl: () => string | null;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
}

export interface WebhookOutbox {
  /** Writes deliveries without starting them: call inside the caller's transaction, then activate() after commit. */
  insert(items: readonly NewDelivery[]): QueuedDelivery[];
  activate(queued: readonly QueuedDelivery[]): void;
  /** Resolves with the outcome of the delivery's next attempt (call right after activate()). */
  nextAttempt(id: number): Promise<AttemptResult>;
  pendingCount(): number;
  /** Aborts in-flight POSTs and stops timers; undelivered rows stay in the database for the next start. */
  close(): Promise<void>;
}

interface Pending {
  readonly id: number;
  readonly chain: string | null;
  /** Monotonic time it is due; the database keeps the wall-clock equivalent for restarts. */
  dueMono: number;
  attempts: number;
}

const OutboxRow = z.object({ id: z.number().int(), chain: z.string().nullable(), due_at: z.number(), delay_ms: z.number(), attempts: z.number().int() });
const BodyRow = z.object({ body: z.string() });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** How soon a delivery looks again while the relay is still starting. */
const NOT_READY_RETRY_MS = 20;

export function signatureHeader(appSecret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody, 'utf8').digest('hex')}`;
}

export function createWebhookOutbox(options: WebhookOutboxOptions): WebhookOutbox {
  const { db, clock } = options;
  const policy: BackoffPolicy = { baseMs: options.retryBaseMs, capMs: Math.max(options.retryCapMs, options.retryBaseMs), resetAfterMs: 0 };
  const insertRow = db.prepare('INSERT INTO outbox (kind, chain, body, due_at, delay_ms, attempts, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)');
  const selectBody = db.prepare<[number]>('SELECT body FROM outbox WHERE id = ?');
  const deleteRow = db.prepare('DELETE FROM outbox WHERE id = ?');
  const reschedule = db.prepare('UPDATE outbox SET attempts = ?, due_at = ?, delay_ms = ? WHERE id = ?');

  const pending = new Map<number, Pending>();
  const inFlight = new Map<number, { controller: AbortController; done: Promise<void> }>();
  const waiters = new Map<number, ((result: AttemptResult) => void)[]>();
  let cancelTimer: (() => void) | null = null;
  let closed = false;

  // Resume what a previous run left: a due time in the past is due now, and a wall clock that
  // jumped backwards cannot push a delivery further out than the delay it was scheduled with.
  const now0 = clock.monotonicNow();
  const wall0 = clock.wallNow();
  for (const row of parseRows('outbox', OutboxRow, db.prepare('SELECT id, chain, due_at, delay_ms, attempts FROM outbox ORDER BY id').all())) {
    const remaining = Math.min(Math.max(0, row.due_at - wall0), Math.max(0, row.delay_ms));
    pending.set(row.id, { id: row.id, chain: row.chain, dueMono: now0 + remaining, attempts: row.attempts });
  }

  const settle = (id: number, result: AttemptResult): void => {
    const list = waiters.get(id);
    if (list === undefined) return;
    waiters.delete(id);
    for (const resolve of list) resolve(result);
  };

  const pump = (): void => {
    if (closed) return;
    cancelTimer?.();
    cancelTimer = null;
    const now = clock.monotonicNow();
    const chainHeads = new Map<string, number>();
    for (const p of pending.values()) {
      if (p.chain === null) continue;
      const head = chainHeads.get(p.chain);
      if (head === undefined || p.id < head) chainHeads.set(p.chain, p.id);
    }
    const ready = [...pending.values()]
      .filter((p) => !inFlight.has(p.id) && (p.chain === null || chainHeads.get(p.chain) === p.id))
      .sort((a, b) => a.dueMono - b.dueMono || a.id - b.id);
    for (const p of ready) {
      if (inFlight.size >= options.maxInFlight) return; // a finishing POST pumps again
      if (p.dueMono > now) {
        cancelTimer = clock.setTimer(p.dueMono - now, pump);
        return;
      }
      start(p);
    }
  };

  const start = (p: Pending): void => {
    const controller = new AbortController();
    const done = attempt(p, controller).finally(() => {
      inFlight.delete(p.id);
      pump();
    });
    inFlight.set(p.id, { controller, done });
  };

  const post = async (body: string, controller: AbortController): Promise<AttemptResult> => {
    const target = options.webhookUrl();
    if (target === null) return { ok: false, reason: 'not_ready' };
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { ok: false, reason: 'bad_url' };
    }
    // The sandbox plays Meta for the relay on this machine only; it never posts customer data elsewhere.
    if (!LOOPBACK_HOSTS.has(url.hostname) || (url.protocol !== 'http:' && url.protocol !== 'https:')) return { ok: false, reason: 'bad_url' };
    let timedOut = false;
    const cancelTimeout = clock.setTimer(options.requestTimeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature-256': signatureHeader(options.appSecret, body),
        },
        body,
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? { ok: true } : { ok: false, reason: 'refused', httpStatus: response.status };
    } catch {
      if (closed) return { ok: false, reason: 'closed' };
      return { ok: false, reason: timedOut ? 'timeout' : 'unreachable' };
    } finally {
      cancelTimeout();
    }
  };

  const attempt = async (p: Pending, controller: AbortController): Promise<void> => {
    const row = selectBody.get(p.id);
    if (row === undefined) {
      pending.delete(p.id);
      settle(p.id, { ok: true });
      return;
    }
    const result = await post(parseRow('outbox', BodyRow, row).body, controller);
    if (closed) {
      // The database may be closing: leave the row as it was, to be retried on the next start.
      settle(p.id, { ok: false, reason: 'closed' });
      return;
    }
    if (result.ok) {
      deleteRow.run(p.id);
      pending.delete(p.id);
    } else if (result.reason === 'not_ready') {
      // Not an attempt: Meta would not have called a relay that is not up yet either.
      p.dueMono = clock.monotonicNow() + NOT_READY_RETRY_MS;
      return;
    } else {
      p.attempts += 1;
      const delayMs = backoffCeilingMs(Math.min(p.attempts - 1, 40), policy);
      p.dueMono = clock.monotonicNow() + delayMs;
      reschedule.run(p.attempts, clock.wallNow() + delayMs, delayMs, p.id);
    }
    settle(p.id, result);
  };

  return {
    insert(items) {
      const wall = clock.wallNow();
      return items.map((item) => {
        const delayMs = Math.max(0, item.delayMs);
        const info = insertRow.run(item.kind, item.chain, item.body, wall + delayMs, delayMs, wall);
        return { id: Number(info.lastInsertRowid), chain: item.chain, delayMs };
      });
    },
    activate(queued) {
      if (closed) return;
      const now = clock.monotonicNow();
      for (const q of queued) pending.set(q.id, { id: q.id, chain: q.chain, dueMono: now + q.delayMs, attempts: 0 });
      pump();
    },
    nextAttempt(id) {
      if (closed || !pending.has(id)) return Promise.resolve({ ok: false, reason: 'closed' });
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? [];
        list.push(resolve);
        waiters.set(id, list);
      });
    },
    pendingCount: () => pending.size,
    async close() {
      if (closed) return;
      closed = true;
      cancelTimer?.();
      cancelTimer = null;
      const running = [...inFlight.values()];
      for (const { controller } of running) controller.abort();
      await Promise.allSettled(running.map((r) => r.done));
      for (const id of [...waiters.keys()]) settle(id, { ok: false, reason: 'closed' });
    },
  };
}
