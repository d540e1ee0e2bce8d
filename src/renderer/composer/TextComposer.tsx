// Free text: Enter sends, Shift+Enter starts a new line; a file can be attached; the draft is saved as it is typed.
import { useRef, type KeyboardEvent } from 'react';
import { MAX_TEXT_LENGTH } from '../../shared/domain';
import { MEDIA_RULES } from '../../shared/media-limits';
import { formatBytes } from '../ui/format';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { bytesToBase64 } from './file-check';
import { Icon } from '../ui/icons';

const ACCEPT = [...MEDIA_RULES.image.mimeTypes, ...MEDIA_RULES.document.mimeTypes].join(',');
const c = strings.composer;

export function TextComposer({ conversationId, onTemplates }: { conversationId: string; onTemplates(): void }) {
  const draft = useAppStore((s) => s.drafts[conversationId]);
  const attachment = useAppStore((s) => s.attachments[conversationId]);
  const error = useAppStore((s) => s.composerErrors[conversationId]);
  const sending = useAppStore((s) => s.sending[conversationId] === true);
  const setDraft = useAppStore((s) => s.setDraft);
  const sendDraft = useAppStore((s) => s.sendDraft);
  const attachFile = useAppStore((s) => s.attachFile);
  const removeAttachment = useAppStore((s) => s.removeAttachment);
  const fileInput = useRef<HTMLInputElement>(null);
  const text = draft?.text ?? '';
  const loaded = draft?.loaded === true;
  const canSend = !sending && (text.trim() !== '' || attachment !== undefined);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (canSend) void sendDraft(conversationId);
    }
  };

  let draftNote: string | null = null;
  if (draft?.save === 'saved' && text !== '') draftNote = c.draftSaved;
  else if (draft?.save === 'error') draftNote = c.draftNotSaved;

  return (
    <form
      className="composer"
      aria-label={c.region}
      onSubmit={(event) => {
        event.preventDefault();
        if (canSend) void sendDraft(conversationId);
      }}
    >
      {error !== undefined && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {attachment !== undefined && (
        <div className="attachment-chip">
          <Icon name={attachment.kind === 'image' ? 'image' : 'document'} />
          <bdi>{attachment.name}</bdi>
          <span className="muted">{formatBytes(attachment.size)}</span>
          <span className="muted">{c.captionHint}</span>
          <button type="button" className="button-quiet" onClick={() => removeAttachment(conversationId)} aria-label={c.removeAttachment(attachment.name)}>
            <Icon name="close" />
          </button>
        </div>
      )}
      <div className="composer-row">
        <button type="button" className="icon-button" onClick={() => fileInput.current?.click()} aria-label={c.attach} title={c.attach}>
          <Icon name="paperclip" />
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={ACCEPT}
          hidden
          tabIndex={-1}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file !== undefined) {
              attachFile(conversationId, {
                name: file.name,
                type: file.type,
                size: file.size,
                read: async () => bytesToBase64(new Uint8Array(await file.arrayBuffer())),
              });
            }
          }}
        />
        <textarea
          className="composer-input"
          aria-label={c.message}
          placeholder={loaded ? c.placeholder : c.loadingDraft}
          value={text}
          readOnly={!loaded}
          maxLength={MAX_TEXT_LENGTH}
          dir="auto"
          rows={1}
          onChange={(event) => setDraft(conversationId, event.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="button-primary" disabled={!canSend}>
          {sending ? c.sending : c.send}
        </button>
      </div>
      <div className="composer-foot">
        <span className="muted">{draftNote ?? c.enterHint}</span>
        <button type="button" className="button-link" onClick={onTemplates}>
          {c.useTemplate}
        </button>
      </div>
    </form>
  );
}
