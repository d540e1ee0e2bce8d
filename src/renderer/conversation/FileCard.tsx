// A document or video in a bubble: name and size, fetched only when the agent asks to save it.
import { useEffect, useRef } from 'react';
import { formatBytes } from '../ui/format';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { Icon } from '../ui/icons';

interface Props {
  mediaId: string;
  kind: 'document' | 'video';
  fileName: string | null;
  size: number | null;
  mimeType: string;
}

/** Hands bytes to the browser as a download (Electron shows its save dialog). */
function download(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
}

export function FileCard({ mediaId, kind, fileName, size, mimeType }: Props) {
  const entry = useAppStore((s) => s.media[mediaId]);
  const loadMedia = useAppStore((s) => s.loadMedia);
  const waiting = useRef(false);
  const name = fileName ?? (kind === 'video' ? strings.message.kinds.video : strings.message.unnamedFile);

  // The agent clicked before the bytes were here: save them as soon as they arrive.
  useEffect(() => {
    if (waiting.current && entry?.status === 'ready') {
      waiting.current = false;
      download(entry.url, name);
    }
  }, [entry, name]);

  const onSave = () => {
    if (entry?.status === 'ready') return download(entry.url, name);
    waiting.current = true;
    loadMedia(mediaId, true);
  };

  return (
    <div className="file-card">
      <Icon name={kind === 'video' ? 'film' : 'document'} className="file-icon" />
      <span className="file-text">
        <bdi className="file-name">{name}</bdi>
        <span className="muted">{[size === null ? null : formatBytes(size), mimeType].filter((x) => x !== null).join(' · ')}</span>
        {entry?.status === 'error' && <span className="form-error">{entry.error}</span>}
      </span>
      <button type="button" onClick={onSave} disabled={entry?.status === 'loading'} aria-label={strings.media.saveFile(name)}>
        {entry?.status === 'loading' ? strings.media.fetching : strings.media.download}
      </button>
    </div>
  );
}
