// Hands queued messages to the relay while live: oldest first per conversation, retrying what may pass later.
import { fullJitterDelayMs, type BackoffPolicy } from '../../shared/backoff';
import type { Clock } from '../../shared/clock';
import type { Message, SendFailure } from '../../shared/domain';
import type { AppError } from '../../shared/errors';
import type { ChangeSet, LocalStore, OutboxItem } from './local-store';
import type { RelayLink } from './relay-link';

export interface DrainerDeps {
  store: LocalStore;
  link: RelayLink;
  clock: Clock;
  random: () => number;
  backoff: BackoffPolicy;
  /** Sends to different conversations in flight at once. */
  concurrency: number;
  /** Turns an outbox item into the relay's messages.send params (uploads local files first). */
  prepare: (item: OutboxItem) => Promise<{ ok: true; params: Record<string, unknown> } | { ok: false; error: AppError }>;
  onChanges: (changes: ChangeSet) => void;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

const SEND_DEADLINE_MS = 20_000;

/** Relay errors that describe the message itself: sending it again unchanged would fail the same way. */
function failureFor(error: AppError): SendFailure | null {
  if (error.retryable) return null;
  switch (error.code) {
    case 'template_required':
      return { code: 'template_required', message: 'The customer has not written in the last 24 hours: send a template to reopen the conversation.' };
    case 'media_too_large':
    case 'media_type_unsupported':
      return { code: error.code, message: error.message };
    case 'invalid_input':
    case 'payload_too_large':
      return { code: 'invalid_input', message: error.message };
    case 'not_found':
    case 'conflict':
    case 'forbidden':
      return { code: 'rejected', message: error.message };
    default:
      // unauthorized, unsupported_version, internal …: not the message's fault; keep it queued.
      return null;
  }
}

export class OutboxDrainer {
  private readonly inFlight = new Set<string>();
  private cancelTimer: () => void = () => {};
  private stopped = false;
  private running = false;
  private again = false;

  constructor(private readonly deps: DrainerDeps) {}

  /** Something changed (a message queued, the link came up, a retry is due): look for work. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      this.runOnce();
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      this.kick();
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  /** Sends still waiting for the relay's answer. */
  get pending(): number {
    return this.inFlight.size;
  }

  private runOnce(): void {
    const { store, link, clock } = this.deps;
    if (!link.isLive()) return; // the connection kicks again when it is
    // Retry times are wall-clock (they survive a restart): after the clock was set back they would lie hours or days
    // ahead; nothing waits longer than the backoff's cap.
    try {
      store.pullForwardOutbox(clock.wallNow() + this.deps.backoff.capMs, clock.wallNow());
    } catch {
      // the disk refuses writes: the next kick tries again
    }
    const room = this.deps.concurrency - this.inFlight.size;
    if (room > 0) {
      for (const item of store.dueOutbox(clock.wallNow(), room + this.inFlight.size)) {
        if (this.inFlight.size >= this.deps.concurrency) break;
        if (this.inFlight.has(item.messageId) || [...this.inFlight].some((id) => store.message(id)?.conversationId === item.conversationId)) continue;
        this.inFlight.add(item.messageId);
        void this.send(item).finally(() => {
          this.inFlight.delete(item.messageId);
          this.kick();
        });
      }
    }
    this.scheduleNextDue();
  }

  private scheduleNextDue(): void {
    this.cancelTimer();
    const due = this.deps.store.nextOutboxDue([...this.inFlight]);
    if (due === null) return;
    const wait = Math.max(0, due - this.deps.clock.wallNow());
    // A message that became due after dueOutbox looked must still be sent: look again, even for a wait
    // of 0 — unless every slot is busy, in which case the next send to finish kicks the drainer.
    if (wait === 0 && this.inFlight.size >= this.deps.concurrency) return;
    this.cancelTimer = this.deps.clock.setTimer(Math.max(1, wait), () => this.kick());
  }

  private async send(item: OutboxItem): Promise<void> {
    const { store, link, clock, log } = this.deps;
    try {
      const prepared = await this.deps.prepare(item);
      const result = prepared.ok
        ? await link.request('messages.send', prepared.params, { deadlineMs: SEND_DEADLINE_MS })
        : { ok: false as const, error: prepared.error };
      if (this.stopped) return;
      if (result.ok) {
        const message = (result.value as { message: Message }).message;
        this.deps.onChanges(store.outboxAccepted(item.messageId, message));
        log('outbox.accepted', { messageId: item.messageId });
        return;
      }
      const failure = failureFor(result.error);
      if (failure !== null) {
        this.deps.onChanges(store.outboxFailed(item.messageId, failure, clock.wallNow()));
        log('outbox.failed', { messageId: item.messageId, code: result.error.code });
        return;
      }
      // Not the message's fault (offline, timeout, relay busy): the same clientMessageId is safe to send again.
      const wait = fullJitterDelayMs(Math.min(item.attempts, 20), this.deps.backoff, this.deps.random());
      store.outboxRetryLater(item.messageId, item.attempts + 1, clock.wallNow() + wait);
      log('outbox.retry', { messageId: item.messageId, code: result.error.code, retryInMs: wait });
    } catch (error) {
      // A local fault (disk, a bug): keep the message queued and try again later; never drop it.
      log('outbox.error', { messageId: item.messageId, error: error instanceof Error ? error.message : String(error) });
      if (!this.stopped) {
        try {
          store.outboxRetryLater(item.messageId, item.attempts + 1, clock.wallNow() + this.deps.backoff.capMs);
        } catch {
          // the store itself is failing; the next kick retries
        }
      }
    }
  }
}
