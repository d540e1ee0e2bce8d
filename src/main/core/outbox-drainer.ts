// Hands queued messages to the relay while live: oldest first per conversation, retrying what may pass later.
import type { BackoffPolicy } from '../../shared/backoff';
import type { Clock } from '../../shared/clock';
import type { Message, SendFailure } from '../../shared/domain';
import type { Result } from '../../shared/errors';
import { JobScheduler, payloadAsStored, type JobOutcome } from '../../shared/job-scheduler';
import type { MethodParams } from '../../shared/protocol-methods';
import { failureFor } from './domain/send-failure';
import type { ChangeSet, OutboxItem } from './local-store';
import type { RelayLink } from './relay-link';

/** The outbox as the drainer uses it; LocalStore provides it. Order within a conversation is the store's (SQL). */
export interface OutboxStore {
  /** The next message of each conversation that is due, oldest first, each row already validated. */
  dueOutbox(now: number, limit: number): OutboxItem[];
  /** The earliest time a conversation's next message not in `inFlight` falls due, or null if none waits. */
  nextOutboxDue(inFlight: readonly string[]): number | null;
  outboxAccepted(messageId: string, relayMessage: Message): ChangeSet;
  outboxRetryLater(messageId: string, attempts: number, nextAttemptAt: number): void;
  outboxFailed(messageId: string, failure: SendFailure, now: number): ChangeSet;
  /** Makes due now every retry set later than `latest`. */
  pullForwardOutbox(latest: number, now: number): void;
}

export interface DrainerDeps {
  store: OutboxStore;
  link: RelayLink;
  clock: Clock;
  random: () => number;
  backoff: BackoffPolicy;
  /** Sends to different conversations in flight at once. */
  concurrency: number;
  /** Turns an outbox item into the relay's messages.send params (uploads local files first). */
  prepare: (item: OutboxItem) => Promise<Result<MethodParams<'messages.send'>>>;
  onChanges: (changes: ChangeSet) => void;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

const SEND_DEADLINE_MS = 20_000;
const DONE: JobOutcome = { kind: 'done' };

export class OutboxDrainer {
  private readonly scheduler: JobScheduler<OutboxItem, OutboxItem>;

  constructor(private readonly deps: DrainerDeps) {
    const { store, log } = deps;
    this.scheduler = new JobScheduler<OutboxItem, OutboxItem>({
      clock: deps.clock,
      random: deps.random,
      backoff: deps.backoff,
      concurrency: deps.concurrency,
      storage: {
        due: (now, limit) => store.dueOutbox(now, limit).map((item) => ({ id: item.messageId, key: item.conversationId, attempts: item.attempts, data: item })),
        nextDue: (inFlight) => store.nextOutboxDue(inFlight),
        retryLater: (job, attempts, at) => store.outboxRetryLater(job.id, attempts, at),
      },
      // The store parses each stored request as it reads it, and fails in place a row that no longer parses.
      ...payloadAsStored<OutboxItem>(),
      beforeLook: () => this.beforeLook(),
      run: (job) => this.send(job.payload),
      // A local fault (disk, a bug): the scheduler keeps the message queued and tries again after the backoff's cap.
      onError: (error, messageId) =>
        log('outbox.error', { ...(messageId !== null && { messageId }), error: error instanceof Error ? error.message : String(error) }),
    });
  }

  /** Something changed (a message queued, the link came up, a retry is due): look for work. */
  kick(): void {
    this.scheduler.wake();
  }

  /** Stops sending; answers still on their way are not recorded (the messages stay queued, safe to send again). */
  stop(): void {
    void this.scheduler.stop(0);
  }

  /** Sends still waiting for the relay's answer. */
  get pending(): number {
    return this.scheduler.pending;
  }

  private beforeLook(): boolean {
    const { store, clock, link } = this.deps;
    if (!link.isLive()) return false; // the connection kicks again when it is
    // Retry times are wall-clock (they survive a restart): after the clock was set back they would lie hours or days
    // ahead; nothing waits longer than the backoff's cap.
    try {
      store.pullForwardOutbox(clock.wallNow() + this.deps.backoff.capMs, clock.wallNow());
    } catch {
      // the disk refuses writes: the next kick tries again
    }
    return true;
  }

  private async send(item: OutboxItem): Promise<JobOutcome> {
    const { store, clock, log } = this.deps;
    const result = await this.request(item);
    if (this.scheduler.stopped) return DONE;
    if (result.ok) {
      this.deps.onChanges(store.outboxAccepted(item.messageId, result.value));
      log('outbox.accepted', { messageId: item.messageId });
      return DONE;
    }
    const failure = failureFor(result.error);
    if (failure !== null) {
      this.deps.onChanges(store.outboxFailed(item.messageId, failure, clock.wallNow()));
      log('outbox.failed', { messageId: item.messageId, code: result.error.code });
      return DONE;
    }
    // Not the message's fault (offline, timeout, relay busy): the same clientMessageId is safe to send again.
    return { kind: 'retry', onScheduled: (retryInMs) => log('outbox.retry', { messageId: item.messageId, code: result.error.code, retryInMs }) };
  }

  /** Prepares and sends the message. The link parses the relay's answer: one out of protocol is a retryable error. */
  private async request(item: OutboxItem): Promise<Result<Message>> {
    const prepared = await this.deps.prepare(item);
    if (!prepared.ok) return { ok: false, error: prepared.error };
    const result = await this.deps.link.request('messages.send', prepared.value, { deadlineMs: SEND_DEADLINE_MS });
    return result.ok ? { ok: true, value: result.value.message } : result;
  }
}
