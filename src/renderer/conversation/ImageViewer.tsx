// The enlarged image: a modal dialog (Escape closes it, focus returns to the thumbnail), with a download.
import { useEffect, useRef } from 'react';
import { strings } from '../ui/strings';

export function ImageViewer({ url, alt, fileName, onClose }: { url: string; alt: string; fileName: string | null; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="image-viewer" aria-label={alt} onClose={onClose}>
      <img src={url} alt={alt} />
      <div className="dialog-actions">
        <a className="button" href={url} download={fileName ?? strings.media.defaultImageName}>
          {strings.media.download}
        </a>
        <button type="button" onClick={() => ref.current?.close()} autoFocus>
          {strings.media.close}
        </button>
      </div>
    </dialog>
  );
}
