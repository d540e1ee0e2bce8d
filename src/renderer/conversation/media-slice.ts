// Media bytes fetched on demand (media.get) and held as object URLs; the oldest are released past a cap.
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

/** How many files stay in memory; a bubble scrolled back into view fetches again (from the local cache). */
export const MEDIA_CACHE_LIMIT = 120;

export type MediaEntry =
  { status: 'loading' } | { status: 'ready'; url: string; mimeType: string; fileName: string | null } | { status: 'error'; error: string };

export interface MediaSlice {
  media: Record<string, MediaEntry>;
  /** Fetches once; a failed entry is fetched again when asked again with `retry`. */
  loadMedia(mediaId: string, retry?: boolean): void;
}

export const createMediaSlice: SliceCreator<MediaSlice> = (set, get, { api, toObjectUrl, revokeObjectUrl }) => {
  const readyOrder: string[] = [];

  const remember = (mediaId: string, entry: MediaEntry) => {
    const media = { ...get().media, [mediaId]: entry };
    if (entry.status === 'ready') {
      readyOrder.push(mediaId);
      while (readyOrder.length > MEDIA_CACHE_LIMIT) {
        const evicted = readyOrder.shift()!;
        const old = media[evicted];
        if (old?.status === 'ready') revokeObjectUrl(old.url);
        delete media[evicted];
      }
    }
    set({ media });
  };

  return {
    media: {},

    loadMedia(mediaId, retry = false) {
      const current = get().media[mediaId];
      if (current !== undefined && (current.status !== 'error' || !retry)) return;
      remember(mediaId, { status: 'loading' });
      api['media.get']({ mediaId }).then(
        (file) => remember(mediaId, { status: 'ready', url: toObjectUrl(file.dataBase64, file.mimeType), mimeType: file.mimeType, fileName: file.fileName }),
        (error: unknown) => remember(mediaId, { status: 'error', error: errorText(error) }),
      );
    },
  };
};
