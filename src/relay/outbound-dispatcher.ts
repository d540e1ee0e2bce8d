// Drains the durable outbound queue to WhatsApp: in order per conversation, within Meta's rate limits,
// retrying what may succeed later and failing, with a reason, what never will.
import type { BackoffPolicy } from '../shared/backoff';
import { fullJitterDelayMs } from '../shared/backoff';
import type { Clock } from '../shared/clock';
import type { MessageContent } from '../shared/domain';
import type { Logger } from './log';
import type { MediaFiles } from './media-files';
import type { OutboundJob, RelayStore } from './store/relay-store';
import type { ProviderContent, WhatsAppProvider } from './whatsapp/provider';

export interface SendLimiter {
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
}

export class OutboundDispatcher {
  private running = false;
  private stopped = false;
  private inFlight = new Map<string, Promise<void>>();
  private cancelTimer: () => void = () => {};
  private timerDueAt = Number.POSITIVE_INFINITY;
  private wakeAgain = false;

  constructor(private readonly deps: DispatcherDeps) {}

  async start(): Promise<void> {
    const recovered = await this.deps.store.recoverInFlight(this.deps.clock.wallNow(), this.deps.settings.reconcileGraceMs);
    if (recovered > 0) this.deps.log.warn('outbound.recovered_in_flight', { jobs: recovered, graceMs: this.deps.settings.reconcileGraceMs });
    this.wake();
  }

  /** New work was queued (or a limit may have lifted): look now. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.running = true;
    void this.runOnce()
      .catch((error: unknown) => this.deps.log.error('outbound.loop_failed', { error: error instanceof Error ? error : String(error) }))
      .finally(() => {
        this.running = false;
        if (this.stopped) return;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        } else {
          this.wakeIn(this.deps.settings.idlePollMs);
        }
      });
  }

  /** Looks again after `delayMs`, unless an earlier look is already planned. */
  private wakeIn(delayMs: number): void {
    if (this.stopped) return;
    const due = this.deps.clock.monotonicNow() + delayMs;
    if (due >= this.timerDueAt) return;
    this.cancelTimer();
    this.timerDueAt = due;
    this.cancelTimer = this.deps.clock.setTimer(delayMs, () => {
      this.timerDueAt = Number.POSITIVE_INFINITY;
      this.wake();
    });
  }

  /**
   * Stops taking work and waits a little for sends in flight. One still unanswered after `graceMs`
   * stays marked in flight in the store: the next start treats it as possibly accepted (see recoverInFlight).
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    this.cancelTimer();
    let cancel = () => {};
    const timeout = new Promise<void>((resolve) => (cancel = this.deps.clock.setTimer(graceMs, resolve)));
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), timeout]);
    cancel();
  }

  private async runOnce(): Promise<void> {
    const { store, clock, settings } = this.deps;
    const room = settings.concurrency - this.inFlight.size;
    if (room <= 0) return;
    const jobs = await store.dueJobs(clock.wallNow(), room + this.inFlight.size);
    for (const job of jobs) {
      if (this.inFlight.size >= settings.concurrency) break;
      if (this.inFlight.has(job.messageId)) continue;
      const reserved = this.deps.limiter.reserve(job.to);
      if (!reserved.ok) {
        // Over Meta's limits: leave it queued and come back when a token is due.
        this.wakeIn(Math.max(1, reserved.waitMs));
        continue;
      }
      const work = this.send(job)
        .catch((error: unknown) =>
          this.deps.log.error('outbound.send_crashed', { messageId: job.messageId, error: error instanceof Error ? error : String(error) }),
        )
        .finally(() => {
          this.inFlight.delete(job.messageId);
          this.wake();
        });
      this.inFlight.set(job.messageId, work);
    }
  }

  private async send(job: OutboundJob): Promise<void> {
    const { store, provider, clock, log, settings } = this.deps;
    const jobLog = log.child({ messageId: job.messageId, conversationId: job.conversationId, attempt: job.attempts + 1 });
    if (job.wamid !== null) {
      await store.completeSend(job.messageId, job.wamid, clock.wallNow());
      this.deps.onCommitted();
      return;
    }
    await store.markInFlight(job.messageId, clock.wallNow());
    const content = await this.toProviderContent(job.content);
    if (!content.ok) {
      await this.retryOrFail(job, content.retryable, content.reason, jobLog);
      return;
    }
    const outcome = await provider.sendMessage({
      to: job.to,
      content: content.value,
      bizOpaque: job.messageId,
      ...(job.replyToWamid !== null && { replyToWamid: job.replyToWamid }),
    });
    if (this.stopped) {
      // The relay is shutting down and may have closed its store: leave the job marked in flight;
      // the next start waits for Meta's status webhook before deciding to resend.
      jobLog.info('outbound.answer_after_stop', { outcome: outcome.kind });
      return;
    }
    const now = clock.wallNow();
    switch (outcome.kind) {
      case 'accepted':
        await store.completeSend(job.messageId, outcome.wamid, now);
        jobLog.info('outbound.accepted');
        break;
      case 'failed':
        await store.failSend(job.messageId, outcome.failure, now);
        jobLog.warn('outbound.failed', { code: outcome.failure.code, metaCode: outcome.failure.metaCode });
        break;
      case 'retry': {
        const backoff = fullJitterDelayMs(Math.min(job.attempts, 30), settings.backoff, this.deps.random());
        const wait = Math.max(backoff, outcome.retryAfterMs ?? 0, outcome.ambiguous ? settings.reconcileGraceMs : 0);
        await store.rescheduleJob(job.messageId, job.attempts + 1, now + wait);
        this.wakeIn(wait);
        const fields = { reason: outcome.reason, ambiguous: outcome.ambiguous, retryInMs: wait, metaCode: outcome.metaCode };
        if (outcome.reason === 'auth') jobLog.error('outbound.whatsapp_token_rejected', fields);
        else jobLog.warn('outbound.retry', fields);
        break;
      }
    }
    this.deps.onCommitted();
  }

  private async retryOrFail(job: OutboundJob, retryable: boolean, reason: string, jobLog: Logger): Promise<void> {
    const now = this.deps.clock.wallNow();
    if (retryable) {
      const wait = fullJitterDelayMs(Math.min(job.attempts, 30), this.deps.settings.backoff, this.deps.random());
      await this.deps.store.rescheduleJob(job.messageId, job.attempts + 1, now + wait);
      this.wakeIn(wait);
      jobLog.warn('outbound.media_retry', { reason, retryInMs: wait });
    } else {
      await this.deps.store.failSend(job.messageId, { code: 'media_type_unsupported', message: reason }, now);
      jobLog.warn('outbound.media_failed', { reason });
    }
    this.deps.onCommitted();
  }

  /** Media goes to WhatsApp first (once per file); everything else maps directly. */
  private async toProviderContent(content: MessageContent): Promise<{ ok: true; value: ProviderContent } | { ok: false; retryable: boolean; reason: string }> {
    switch (content.type) {
      case 'text':
        return { ok: true, value: { type: 'text', body: content.body } };
      case 'template':
        return { ok: true, value: { type: 'template', name: content.name, language: content.language, parameters: content.parameters } };
      case 'image':
      case 'document': {
        const media = await this.deps.store.getMedia(content.mediaId);
        if (media === null) return { ok: false, retryable: false, reason: 'the attached file no longer exists on the relay' };
        let waMediaId = media.waMediaId;
        if (waMediaId === null) {
          const bytes = await this.deps.media.read(media.id);
          if (bytes === null) return { ok: false, retryable: false, reason: 'the attached file no longer exists on the relay' };
          const uploaded = await this.deps.provider.uploadMedia({ bytes, mimeType: media.mimeType, fileName: media.fileName ?? 'file' });
          if (!uploaded.ok) return { ok: false, retryable: uploaded.retryable, reason: uploaded.message };
          waMediaId = uploaded.value;
          await this.deps.store.setMediaWaId(media.id, waMediaId);
        }
        const caption = content.caption !== undefined ? { caption: content.caption } : {};
        return content.type === 'image'
          ? { ok: true, value: { type: 'image', waMediaId, ...caption } }
          : { ok: true, value: { type: 'document', waMediaId, ...caption, ...(content.fileName !== undefined && { fileName: content.fileName }) } };
      }
      default:
        return { ok: false, retryable: false, reason: `messages of type ${content.type} cannot be sent` };
    }
  }
}
