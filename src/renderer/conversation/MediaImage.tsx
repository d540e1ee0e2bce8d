// An image in a bubble: a fixed-size thumbnail (so the row's height never changes as it loads), click to enlarge.
import { useState } from 'react';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { ImageViewer } from './ImageViewer';
import { useMedia } from './use-media';

export function MediaImage({ mediaId, alt, sticker }: { mediaId: string; alt: string; sticker: boolean }) {
  const entry = useMedia(mediaId, true);
  const loadMedia = useAppStore((s) => s.loadMedia);
  const [enlarged, setEnlarged] = useState(false);
  const box = sticker ? 'thumb thumb-sticker' : 'thumb';

  if (entry === undefined || entry.status === 'loading') return <div className={`${box} thumb-loading`} aria-label={strings.media.loading} role="img" />;
  if (entry.status === 'error') {
    return (
      <div className={`${box} thumb-error`}>
        <span>{strings.media.failed}</span>
        <button type="button" onClick={() => loadMedia(mediaId, true)}>
          {strings.media.retry}
        </button>
      </div>
    );
  }
  return (
    <>
      <button type="button" className={`${box} thumb-button`} onClick={() => setEnlarged(true)} aria-label={strings.media.enlarge(alt)}>
        <img src={entry.url} alt={alt} />
      </button>
      {enlarged && <ImageViewer url={entry.url} alt={alt} fileName={entry.fileName} onClose={() => setEnlarged(false)} />}
    </>
  );
}
