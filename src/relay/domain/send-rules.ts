// What an agent's send may be and what it becomes, decided purely: the 24-hour window, authentication templates
// only to a phone number, the content once its media is resolved, and who the conversation belongs to afterwards.
import type { MessageContent } from '../../shared/domain';
import { appError, fail, ok, type AppError, type Result } from '../../shared/errors';
import type { MethodParams } from '../../shared/protocol-methods';
import { isWindowOpen } from '../../shared/service-window';

/** Meta's rule, in words for the agent: the Graph API refuses authentication templates to anything but a phone number. */
export const PHONE_NUMBER_ONLY_TO_GROUP = 'WhatsApp does not deliver authentication templates to groups: send it to the customer’s own number';
export const PHONE_NUMBER_ONLY_NO_NUMBER =
  'WhatsApp has not shared this customer’s phone number, and authentication templates can only be sent to a phone number';

export type SendContent = MethodParams<'messages.send'>['content'];

/** What the send rules need of the conversation written to (null: a new one, started by phone number). */
export interface SendTarget {
  readonly groupId: string | null;
  /** The customer's phone number, when WhatsApp has shared it. */
  readonly waId: string | null;
  readonly lastInboundAt: number | null;
}

/**
 * Why this content may not go to this conversation now; null when it may. Outside the customer's 24-hour window (or in
 * a conversation they never wrote in) only an approved template goes; an authentication template only to a number.
 */
export function sendRefusal(content: SendContent, target: SendTarget | null, phoneNumberOnly: boolean, now: number): AppError | null {
  if (phoneNumberOnly && target !== null && target.groupId !== null) return appError('invalid_input', PHONE_NUMBER_ONLY_TO_GROUP);
  if (phoneNumberOnly && target !== null && target.waId === null) return appError('invalid_input', PHONE_NUMBER_ONLY_NO_NUMBER);
  if (content.type !== 'template' && !isWindowOpen(target?.lastInboundAt ?? null, now)) {
    return appError('template_required', 'the 24-hour window is closed: only an approved template can be sent', false);
  }
  return null;
}

/** An uploaded file as the store holds it (null: no such upload). */
export interface UploadFacts {
  readonly id: string;
  readonly state: 'pending' | 'ready' | 'failed';
  readonly mimeType: string;
  readonly fileName: string | null;
  readonly size: number | null;
}

/** The media id a send's content names, if any: the store looks it up before `sendContent` decides. */
export function mediaIdOf(content: SendContent): string | null {
  return content.type === 'image' || content.type === 'document' ? content.mediaId : null;
}

/**
 * What is stored and sent for this content: a photo or document carries the upload's type, size and (for a document
 * not renamed by the agent) its file name; anything else is stored as asked. An upload not ready is not found.
 */
export function sendContent(content: SendContent, media: UploadFacts | null): Result<MessageContent> {
  if (content.type !== 'image' && content.type !== 'document') return ok(content);
  if (media === null || media.state !== 'ready') return fail('not_found', 'media not found: upload it first');
  const fileName = content.type === 'document' ? (content.fileName ?? media.fileName) : null;
  return ok({
    type: content.type,
    mediaId: media.id,
    mimeType: media.mimeType,
    ...(fileName !== null && { fileName }),
    ...(media.size !== null && { size: media.size }),
    ...(content.caption !== undefined && { caption: content.caption }),
  });
}

/** First responder: an unassigned conversation becomes the sender's; an assigned one stays its assignee's. */
export function assigneeAfterSend(assignedAgentId: string | null, senderId: string): string {
  return assignedAgentId ?? senderId;
}
