// A send as the Cloud API's messages endpoint wants it, and the customer-visible strings that must stay out of logs.
import type { ProviderContent, ProviderSend, Recipient } from './provider';

export function messagePayload(send: ProviderSend): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    ...recipientFields(send.to),
    type: send.content.type,
    ...contentFields(send.content),
    ...(send.replyToWamid !== undefined && { context: { message_id: send.replyToWamid } }),
    biz_opaque_callback_data: send.bizOpaque,
  };
}

/**
 * Meta's Messages API: a phone number goes in `to`; a BSUID goes in `recipient` (were both sent, `to` would win, so
 * only one is); a group's id goes in `to` with `recipient_type: group` (the Groups API's group messaging page).
 */
function recipientFields(recipient: Recipient): Record<string, string> {
  switch (recipient.kind) {
    case 'phone':
      return { recipient_type: 'individual', to: recipient.waId };
    case 'bsuid':
      return { recipient_type: 'individual', recipient: recipient.bsuid };
    case 'group':
      return { recipient_type: 'group', to: recipient.groupId };
  }
}

function contentFields(content: ProviderContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { text: { body: content.body, preview_url: content.previewUrl ?? false } };
    case 'image':
      return { image: { id: content.waMediaId, ...(content.caption !== undefined && { caption: content.caption }) } };
    case 'document':
      return {
        document: {
          id: content.waMediaId,
          ...(content.fileName !== undefined && { filename: content.fileName }),
          ...(content.caption !== undefined && { caption: content.caption }),
        },
      };
    case 'template':
      return {
        template: {
          name: content.name,
          language: { code: content.language },
          ...(content.parameters.length > 0 && {
            components: [{ type: 'body', parameters: content.parameters.map((text) => ({ type: 'text', text })) }],
          }),
        },
      };
  }
}

/** What the customer would read: Meta may quote it back in an error, so it is redacted from messages. */
export function contentStrings(content: ProviderContent): string[] {
  switch (content.type) {
    case 'text':
      return [content.body];
    case 'image':
      return content.caption === undefined ? [] : [content.caption];
    case 'document':
      return [content.fileName, content.caption].filter((s): s is string => s !== undefined);
    case 'template':
      return [...content.parameters];
  }
}
