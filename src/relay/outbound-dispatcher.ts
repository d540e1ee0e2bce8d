// Drains the durable outbound queue to WhatsApp: in order per conversation, within Meta's rate limits,
// retrying what may succeed later and failing, with a reason, what never will.
import type { BackoffPolicy } from '../shared/backoff';
import type { Clock } from '../shared/clock';
import { JobScheduler, type JobOutcome, type ParseResult } from '../shared/job-scheduler';
import type { Logger } from './log';
import type { MediaFiles } from './media-files';
import { sendableContent, toProviderContent, type SendableContent } from './outbound-content';
import type { OutboundJob, RelayStore } from './store/relay-store';
import { EVERY_NUMBER, type SendLeadership } from './send-leadership';
import { recipientAddress, type Recipient, type WhatsAppProvider } from './whatsapp/provider';

export interface SendLimiter {
  /** `to` is the recipient's address (phone number, BSUID or group id): Meta's pair rate is per recipient. */
  reserve(to: string): { ok: true } | { ok: false; waitMs: number };
}

export interface DispatcherSettings {
  /** Sends in flight at once (each to a different conversation). */
  concurrency: number;
  backoff: BackoffPolicy;
  /** After a send whose outcome is unknown, wait this long for a webhook proving Meta got it before resending. */
  reconcileGraceMs: number;
  /** How often to look for due work when nothing wakes the dispatcher sooner. */
  idlePollMs: number;
}

export interface DispatcherDeps {
  store: RelayStore;
  provider: WhatsAppProvider;
  limiter: SendLimiter;
  media: MediaFiles;
  clock: Clock;
  log: Logger;
  random: () => number;
  settings: DispatcherSettings;
  onCommitted: () => void;
  /** Which numbers this instance sends for (several instances on PostgreSQL); absent: every number. */
  leadership?: SendLeadership;
}

/** A due job, checked: either Meta already has it (a webhook told us its wamid) or its content can be sent to someone. */
type Send =
  | { readonly kind: 'reconciled'; readonly job: OutboundJob; readonly wamid: string }
  | { readonly kind: 'send'; readonly job: OutboundJob; readonly to: Recipient; readonly content: SendableContent };

const DONE: JobOutcome = { kind: 'done' };

export const NOBODY_TO_SEND_TO = 'the conversation names no phone number, business-scoped user id or group to send to';

function parseJob(job: OutboundJob): ParseResult<Send> {
  if (job.wamid !== null) return { ok: true, value: { kind: 'reconciled', job, wamid: job.wamid } };
  if (job.to === null) return { ok: false, reason: NOBODY_TO_SEND_TO };
  const content = sendableContent(job.content);
  return content.ok ? { ok: true, value: { kind: 'send', job, to: job.to, content: content.value } } : content;
}

function describe(error: unknown): Error | string {
  return error instanceof Error ? error : String(error);
}

export class OutboundDispatcher {
  private readonly scheduler: JobScheduler<OutboundJob, Send>;
  private readonly leadership: SendLeadership;

  constructor(private readonly deps: DispatcherDeps) {
    const { store, settings, log } = deps;
    this.leadership = deps.leadership ?? EVERY_NUMBER;
    this.scheduler = new JobScheduler<OutboundJob, Send>({
      clock: deps.clock,
      random: deps.random,
      backoff: settings.backoff,
      concurrency: settings.concurrency,
      idlePollMs: settings.idlePollMs,
      storage: {
        due: async (now, limit) =>
          (await store.dueJobs(now, limit, this.leadership.numbers() ?? undefined)).map((job) => ({
            id: job.messageId,
            key: job.conversationId,
            attempts: job.attempts,
            data: job,
          })),
        retryLater: (stored, attempts, at) => store.rescheduleJob(stored.id, attempts, at),
      },
      parse: parseJob,
      rejected: (stored, reason) => this.reject(stored.data, reason),
      // Over Meta's limits: the job stays queued and the scheduler comes back when a token is due.
      admit: (job) => (job.payload.kind === 'send' ? deps.limiter.reserve(recipientAddress(job.payload.to)) : { ok: true }),
      run: (job) => this.send(job.payload),
      onError: (error, messageId) =>
        messageId === null
          ? log.error('outbound.loop_failed', { error: describe(error) })
          : log.error('outbound.send_crashed', { messageId, error: describe(error) }),
    });
  }

  /** Alone on the database: what a crash left in flight waits the grace. Among several, takeOver does it per number. */
  async start(): Promise<void> {
    if (this.leadership.numbers() === null) await this.recover(undefined);
    this.wake();
  }

  /** This instance now sends for `phoneNumberId`: its previous sender may have died mid-send, as in a crash. */
  async takeOver(phoneNumberId: string): Promise<void> {
    await this.recover(phoneNumberId);
    this.wake();
  }

  private async recover(phoneNumberId: string | undefined): Promise<void> {
    const { store, clock, settings, log } = this.deps;
    const recovered = await store.recoverInFlight(clock.wallNow(), settings.reconcileGraceMs, phoneNumberId);
    if (recovered > 0)
      log.warn('outbound.recovered_in_flight', { jobs: recovered, graceMs: settings.reconcileGraceMs, ...(phoneNumberId !== undefined && { phoneNumberId }) });
  }

  /** New work was queued (or a limit may have lifted): look now. */
  wake(): void {
    this.scheduler.wake();
  }

  /**
   * Stops taking work and waits a little for sends in flight. One still unanswered after `graceMs`
   * stays marked in flight in the store: the next start treats it as possibly accepted (see recoverInFlight).
   */
  async stop(graceMs = 2_000): Promise<void> {
    await this.scheduler.stop(graceMs);
  }

  private logFor(job: OutboundJob): Logger {
    return this.deps.log.child({ messageId: job.messageId, conversationId: job.conversationId, attempt: job.attempts + 1 });
  }

  /** A job no send can carry (its content, or nobody to send to): fail it for good, with the reason, rather than retry it forever. */
  private async reject(job: OutboundJob, reason: string): Promise<void> {
    const code = reason === NOBODY_TO_SEND_TO ? 'invalid_input' : 'media_type_unsupported';
    await this.deps.store.failSend(job.messageId, { code, message: reason }, this.deps.clock.wallNow());
    this.logFor(job).warn(code === 'invalid_input' ? 'outbound.no_recipient' : 'outbound.media_failed', { reason });
    this.deps.onCommitted();
  }

  private async send(send: Send): Promise<JobOutcome> {
    const jobLog = this.logFor(send.job);
    try {
      return await this.attempt(send, jobLog);
    } catch (error) {
      // A local fault (disk, a bug) perhaps after Meta took the message: wait as for an ambiguous send before resending.
      jobLog.error('outbound.send_crashed', { error: describe(error) });
      return { kind: 'retry', atLeastMs: Math.max(this.deps.settings.backoff.capMs, this.deps.settings.reconcileGraceMs) };
    }
  }

  private async attempt(send: Send, jobLog: Logger): Promise<JobOutcome> {
    const { store, provider, clock, settings } = this.deps;
    const { job } = send;
    if (send.kind === 'reconciled') {
      await store.completeSend(job.messageId, send.wamid, clock.wallNow());
      this.deps.onCommitted();
      return DONE;
    }
    // Another instance (or a read from before its claim) has it: sending now could reach Meta twice.
    if (!(await store.markInFlight(job.messageId, clock.wallNow()))) {
      jobLog.info('outbound.claimed_elsewhere');
      return DONE;
    }
    const content = await toProviderContent(send.content, job.phoneNumberId, this.deps);
    if (!content.ok) {
      const { error } = content;
      if (error.retryable) return this.retry(0, (retryInMs) => jobLog.warn('outbound.media_retry', { reason: error.message, retryInMs }));
      await store.failSend(job.messageId, { code: 'media_type_unsupported', message: error.message }, clock.wallNow());
      jobLog.warn('outbound.media_failed', { reason: error.message });
      this.deps.onCommitted();
      return DONE;
    }
    const outcome = await provider.sendMessage({
      from: job.phoneNumberId,
      to: send.to,
      content: content.value,
      bizOpaque: job.messageId,
      ...(job.replyToWamid !== null && { replyToWamid: job.replyToWamid }),
    });
    if (this.scheduler.stopped) {
      // The relay is shutting down and may have closed its store: leave the job marked in flight;
      // the next start waits for Meta's status webhook before deciding to resend.
      jobLog.info('outbound.answer_after_stop', { outcome: outcome.kind });
      return DONE;
    }
    switch (outcome.kind) {
      case 'accepted':
        await store.completeSend(job.messageId, outcome.wamid, clock.wallNow());
        jobLog.info('outbound.accepted');
        this.deps.onCommitted();
        return DONE;
      case 'failed':
        await store.failSend(job.messageId, outcome.failure, clock.wallNow());
        jobLog.warn('outbound.failed', { code: outcome.failure.code, metaCode: outcome.failure.metaCode });
        this.deps.onCommitted();
        return DONE;
      case 'retry': {
        const atLeastMs = Math.max(outcome.retryAfterMs ?? 0, outcome.ambiguous ? settings.reconcileGraceMs : 0);
        return this.retry(atLeastMs, (retryInMs) => {
          const fields = { reason: outcome.reason, ambiguous: outcome.ambiguous, retryInMs, metaCode: outcome.metaCode };
          if (outcome.reason === 'auth') jobLog.error('outbound.whatsapp_token_rejected', fields);
          else jobLog.warn('outbound.retry', fields);
        });
      }
    }
  }

  /** Another try after the backoff (and at least `atLeastMs`): `report` logs the wait once the store has it. */
  private retry(atLeastMs: number, report: (retryInMs: number) => void): JobOutcome {
    return {
      kind: 'retry',
      atLeastMs,
      onScheduled: (retryInMs) => {
        report(retryInMs);
        this.deps.onCommitted();
      },
    };
  }
}
