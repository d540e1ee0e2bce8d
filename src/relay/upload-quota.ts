// Upload quotas per agent: files and bytes within a sliding window, counted in the store so every relay process agrees.
import type { Clock } from '../shared/clock';
import { appError, type AppError } from '../shared/errors';
import type { RelayStore } from './store/relay-store';

export interface UploadQuotaSettings {
  readonly uploadFilesPerWindow: number;
  readonly uploadBytesPerWindow: number;
  readonly uploadWindowMinutes: number;
}

/** Room for one upload: write at most `maxBytes`, then `release()` once its row is stored (or the upload failed). */
export interface UploadGrant {
  readonly maxBytes: number;
  /** Set when `maxBytes` is the quota's remainder rather than the file kind's own limit: a larger body gets this refusal. */
  readonly overQuota: QuotaRefusal | null;
  release(): void;
}

export interface QuotaRefusal {
  readonly error: AppError;
  readonly retryAfterSeconds: number;
}

export type QuotaAnswer = { readonly ok: true; readonly grant: UploadGrant } | ({ readonly ok: false } & QuotaRefusal);

/** When the window holds nothing stored yet (only uploads still arriving) there is no oldest to wait for: a short wait. */
const BUSY_RETRY_SECONDS = 5;

export class UploadQuota {
  /** Uploads of this process still streaming in, per agent: not in the store yet, but they count. */
  private readonly arriving = new Map<string, { files: number; bytes: number }>();
  /** One check at a time per agent, so two uploads started together cannot both take the last room. */
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly settings: UploadQuotaSettings,
    private readonly store: Pick<RelayStore, 'uploadUsage'>,
    private readonly clock: Clock,
  ) {}

  /**
   * Room for one more upload of this agent: `declaredBytes` (0 when the client did not say) against what is left of
   * the window's files and bytes, at most `kindMaxBytes` (the file kind's own limit).
   */
  reserve(agentId: string, declaredBytes: number, kindMaxBytes: number): Promise<QuotaAnswer> {
    return this.inTurn(agentId, async (): Promise<QuotaAnswer> => {
      const { uploadFilesPerWindow: maxFiles, uploadBytesPerWindow: maxBytes, uploadWindowMinutes } = this.settings;
      const windowMs = uploadWindowMinutes * 60_000;
      const now = this.clock.wallNow();
      const stored = await this.store.uploadUsage(agentId, now - windowMs);
      const arriving = this.arriving.get(agentId) ?? { files: 0, bytes: 0 };
      const roomBytes = maxBytes - stored.bytes - arriving.bytes;
      // Until the oldest upload in the window leaves it: the earliest moment anything frees up.
      const retryAfterSeconds = stored.oldestAt === null ? BUSY_RETRY_SECONDS : Math.max(1, Math.ceil((stored.oldestAt + windowMs - now) / 1000));
      const words = `Upload limit reached: each agent may upload ${maxFiles} files and ${megabytes(maxBytes)} in ${uploadWindowMinutes} minutes`;
      const refusal: QuotaRefusal = { error: appError('rate_limited', `${words}; try again in ${retryAfterSeconds} s`, true), retryAfterSeconds };
      if (stored.files + arriving.files >= maxFiles || roomBytes <= 0 || declaredBytes > roomBytes) return { ok: false, ...refusal };
      const grantBytes = Math.min(kindMaxBytes, roomBytes);
      const held = declaredBytes > 0 ? Math.min(declaredBytes, grantBytes) : grantBytes;
      this.arriving.set(agentId, { files: arriving.files + 1, bytes: arriving.bytes + held });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        // In turn too: a check reading the store just before this upload's row was committed still counts it as arriving.
        void this.inTurn(agentId, async () => {
          const now = this.arriving.get(agentId);
          if (now === undefined) return;
          if (now.files <= 1) this.arriving.delete(agentId);
          else this.arriving.set(agentId, { files: now.files - 1, bytes: now.bytes - held });
        });
      };
      return { ok: true, grant: { maxBytes: grantBytes, overQuota: grantBytes < kindMaxBytes ? refusal : null, release } };
    });
  }

  private inTurn<T>(agentId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(agentId) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(agentId, settled);
    // The last in line forgets the agent: the map holds only agents with a check under way.
    void settled.then(() => {
      if (this.turns.get(agentId) === settled) this.turns.delete(agentId);
    });
    return mine;
  }
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.floor(bytes / (1024 * 1024))} MB` : `${bytes} bytes`;
}
