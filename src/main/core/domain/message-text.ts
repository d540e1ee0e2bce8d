// The words of a message: what the search index holds and what the conversation list previews.
import type { MessageContent } from '../../../shared/domain';

/** Text worth finding a message by: bodies, captions and file names. */
export function searchTextOf(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker':
      return [content.caption, content.fileName].filter((s) => s !== undefined && s !== '').join(' ');
    case 'location':
      return [content.name, content.address].filter((s) => s !== undefined).join(' ');
    case 'template':
      return content.parameters.join(' ');
    case 'button_reply':
      return content.text;
    default:
      return '';
  }
}

const LABELS: Record<MessageContent['type'], string> = {
  text: '',
  image: 'Photo',
  video: 'Video',
  document: 'Document',
  audio: 'Audio',
  sticker: 'Sticker',
  location: 'Location',
  reaction: 'Reaction',
  template: 'Template',
  button_reply: '',
  unsupported: 'Unsupported message',
};

/** One line for the conversation list (at most 200 characters). */
export function previewOf(content: MessageContent): string {
  let text: string;
  switch (content.type) {
    case 'text':
      text = content.body;
      break;
    case 'reaction':
      text = content.emoji === '' ? 'Removed a reaction' : `Reacted ${content.emoji}`;
      break;
    case 'template':
      text = `Template: ${content.name}`;
      break;
    case 'button_reply':
      text = content.text;
      break;
    default: {
      const detail = searchTextOf(content);
      text = detail === '' ? LABELS[content.type] : `${LABELS[content.type]}: ${detail}`;
    }
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
}
