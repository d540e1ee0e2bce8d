// An outbound job's content in WhatsApp's terms: which contents can be sent at all, and media uploaded once per file.
import type { MessageContent } from '../shared/domain';
import { appError, type Result } from '../shared/errors';
import type { ParseResult } from '../shared/job-scheduler';
import type { MediaFiles } from './media-files';
import type { RelayStore } from './store/relay-store';
import type { ProviderContent, ProviderError, WhatsAppProvider } from './whatsapp/provider';

/** The contents WhatsApp's send API carries for us; the rest only ever arrive from customers. */
export type SendableContent = Extract<MessageContent, { type: 'text' | 'template' | 'image' | 'document' }>;

export type ProviderContentResult = Result<ProviderContent, ProviderError>;

export interface ContentDeps {
  store: Pick<RelayStore, 'getMedia' | 'setMediaWaId'>;
  media: Pick<MediaFiles, 'read'>;
  provider: Pick<WhatsAppProvider, 'uploadMedia'>;
}

/** A stored content of any other type can never be sent: the job fails with this reason instead of retrying. */
export function sendableContent(content: MessageContent): ParseResult<SendableContent> {
  switch (content.type) {
    case 'text':
    case 'template':
    case 'image':
    case 'document':
      return { ok: true, value: content };
    default:
      return { ok: false, reason: `messages of type ${content.type} cannot be sent` };
  }
}

const FILE_GONE: Result<never, ProviderError> = { ok: false, error: appError('not_found', 'the attached file no longer exists on the relay', false) };

/**
 * Media goes to WhatsApp first, uploaded from our number `from` the message will leave from (once per file: its
 * WhatsApp id is kept; a file belongs to one conversation, so to one number); everything else maps directly.
 */
export async function toProviderContent(content: SendableContent, from: string, deps: ContentDeps): Promise<ProviderContentResult> {
  switch (content.type) {
    case 'text':
      return { ok: true, value: { type: 'text', body: content.body } };
    case 'template':
      return { ok: true, value: { type: 'template', name: content.name, language: content.language, parameters: content.parameters } };
    case 'image':
    case 'document': {
      const media = await deps.store.getMedia(content.mediaId);
      if (media === null) return FILE_GONE;
      let waMediaId = media.waMediaId;
      if (waMediaId === null) {
        const bytes = await deps.media.read(media.id);
        if (bytes === null) return FILE_GONE;
        const uploaded = await deps.provider.uploadMedia({ bytes, mimeType: media.mimeType, fileName: media.fileName ?? 'file' }, from);
        if (!uploaded.ok) return uploaded;
        waMediaId = uploaded.value;
        await deps.store.setMediaWaId(media.id, waMediaId);
      }
      const caption = content.caption !== undefined ? { caption: content.caption } : {};
      return content.type === 'image'
        ? { ok: true, value: { type: 'image', waMediaId, ...caption } }
        : { ok: true, value: { type: 'document', waMediaId, ...caption, ...(content.fileName !== undefined && { fileName: content.fileName }) } };
    }
  }
}
