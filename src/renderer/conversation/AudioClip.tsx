// An audio or voice message: fetched when the agent chooses to listen, then the browser's own player.
import { useState } from 'react';
import { strings } from '../ui/strings';
import { useMedia } from './use-media';
import { Icon } from '../ui/icons';

export function AudioClip({ mediaId, voice }: { mediaId: string; voice: boolean }) {
  const [wanted, setWanted] = useState(false);
  const entry = useMedia(mediaId, wanted);
  const label = voice ? strings.message.kinds.voice : strings.message.kinds.audio;
  if (entry?.status === 'ready') return <audio className="audio" controls src={entry.url} aria-label={label} />;
  return (
    <div className="file-card">
      <Icon name="mic" className="file-icon" />
      <span className="file-text">
        <span className="file-name">{label}</span>
        {entry?.status === 'error' && <span className="form-error">{entry.error}</span>}
      </span>
      <button type="button" onClick={() => setWanted(true)} disabled={entry?.status === 'loading'}>
        {entry?.status === 'loading' ? strings.media.fetching : strings.media.listen}
      </button>
    </div>
  );
}
