// Deletes uploads no message refers to once they are limits.uploadExpiryHours old: their rows, then their files.
import type { Clock } from '../shared/clock';
import type { Logger } from './log';
import type { MediaFiles } from './media-files';
import type { RelayStore } from './store/relay-store';

/** Rows deleted per store call, and calls per sweep: a backlog is worked off over several sweeps, never in one long hold. */
const BATCH = 200;
const BATCHES_PER_SWEEP = 25;

export interface UploadExpiry {
  /** Stops the timer and waits for a sweep under way, so the store is not closed beneath it. */
  stop(): Promise<void>;
}

/**
 * Sweeps at once (a relay that was down catches up) and then every `intervalMs`. An upload referred to by any message
 * (queued, sent or failed) is kept: the store checks that in the same transaction as the delete. A file whose row is
 * gone is deleted after the row, so a crash between the two leaves an unreferenced file, never a row without its file.
 */
export function startUploadExpiry(deps: {
  store: Pick<RelayStore, 'expireUploads'>;
  files: Pick<MediaFiles, 'remove'>;
  clock: Clock;
  log: Logger;
  expiryHours: number;
  intervalMs: number;
}): UploadExpiry {
  let stopped = false;
  let cancel = () => {};
  let running: Promise<void> = Promise.resolve();

  const sweep = async (): Promise<void> => {
    const cutoff = deps.clock.wallNow() - deps.expiryHours * 3_600_000;
    let removed = 0;
    for (let batch = 0; batch < BATCHES_PER_SWEEP && !stopped; batch++) {
      const ids = await deps.store.expireUploads(cutoff, BATCH);
      for (const id of ids) await deps.files.remove(id);
      removed += ids.length;
      if (ids.length < BATCH) break;
    }
    if (removed > 0) deps.log.info('media.uploads_expired', { count: removed, olderThanHours: deps.expiryHours });
  };
  const tick = () => {
    running = sweep()
      .catch((error: unknown) => deps.log.error('media.expiry_failed', { error: error instanceof Error ? error : String(error) }))
      .finally(() => {
        if (!stopped) cancel = deps.clock.setTimer(deps.intervalMs, tick);
      });
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      cancel();
      await running;
    },
  };
}
