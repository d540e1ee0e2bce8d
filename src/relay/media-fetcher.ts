// Brings inbound media from WhatsApp to the relay's disk soon after the webhook, so agents can open it.
import { createHash } from 'node:crypto';
import type { BackoffPolicy } from '../shared/backoff';
import { fullJitterDelayMs } from '../shared/backoff';
import type { Clock } from '../shared/clock';
import type { Logger } from './log';
import type { MediaFiles } from './media-files';
import type { RelayStore } from './store/relay-store';
import type { WhatsAppProvider } from './whatsapp/provider';

export class MediaFetcher {
  private readonly active = new Map<string, Promise<boolean>>();
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly deps: {
      store: RelayStore;
      provider: WhatsAppProvider;
      files: MediaFiles;
      clock: Clock;
      log: Logger;
      backoff: BackoffPolicy;
      random: () => number;
      maxAttempts: number;
    },
  ) {}

  /** Picks up media left pending by an earlier run. */
  async resume(): Promise<void> {
    for (const m of await this.deps.store.pendingInboundMedia(1_000)) void this.fetch(m.mediaId, m.waMediaId);
  }

  /** Fetches one media file; concurrent callers share the same attempt. Resolves whether it is ready. */
  fetch(mediaId: string, waMediaId: string): Promise<boolean> {
    const running = this.active.get(mediaId);
    if (running !== undefined) return running;
    const attempt = this.fetchOnce(mediaId, waMediaId).finally(() => this.active.delete(mediaId));
    this.active.set(mediaId, attempt);
    return attempt;
  }

  /** Stops retrying and waits (at most `graceMs`) for fetches in flight, so none touches a closed store. */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    for (const cancel of this.timers) cancel();
    let cancelTimer = () => {};
    const timeout = new Promise<void>((resolve) => (cancelTimer = this.deps.clock.setTimer(graceMs, resolve)));
    await Promise.race([Promise.allSettled([...this.active.values()]), timeout]);
    cancelTimer();
  }

  private async fetchOnce(mediaId: string, waMediaId: string): Promise<boolean> {
    const { store, provider, files, log } = this.deps;
    const result = await provider.fetchMedia(waMediaId);
    if (this.stopped) return false; // the store may be closed; the fetch resumes at the next start
    if (result.ok) {
      await files.write(mediaId, result.value.bytes);
      if (this.stopped) return false; // the file is kept; the next start finds the row still pending and fetches again
      const sha256 = createHash('sha256').update(result.value.bytes).digest('hex');
      await store.setMediaState(mediaId, 'ready', { size: result.value.bytes.length, sha256, mimeType: result.value.mimeType });
      this.attempts.delete(mediaId);
      return true;
    }
    const attempt = (this.attempts.get(mediaId) ?? 0) + 1;
    this.attempts.set(mediaId, attempt);
    if (!result.error.retryable || attempt >= this.deps.maxAttempts) {
      await store.setMediaState(mediaId, 'failed');
      log.warn('media.fetch_failed', { mediaId, reason: result.error.message, attempts: attempt });
      this.attempts.delete(mediaId);
      return false;
    }
    if (!this.stopped) {
      const delay = fullJitterDelayMs(attempt, this.deps.backoff, this.deps.random());
      const cancel = this.deps.clock.setTimer(delay, () => {
        this.timers.delete(cancel);
        void this.fetch(mediaId, waMediaId);
      });
      this.timers.add(cancel);
    }
    return false;
  }
}
