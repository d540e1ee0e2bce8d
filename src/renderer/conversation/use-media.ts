// A media file's state for one bubble: fetched when the bubble asks (on mount for thumbnails, on click for files).
import { useEffect } from 'react';
import { useAppStore } from '../store/use-app-store';
import type { MediaEntry } from './media-slice';

export function useMedia(mediaId: string, load: boolean): MediaEntry | undefined {
  const entry = useAppStore((s) => s.media[mediaId]);
  const loadMedia = useAppStore((s) => s.loadMedia);
  useEffect(() => {
    if (load && entry === undefined) loadMedia(mediaId);
  }, [load, entry, mediaId, loadMedia]);
  return entry;
}
