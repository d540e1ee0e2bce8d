// What one inbound WhatsApp message says, by type: read leniently, cut to the shared limits with a visible mark, never dropped.
import { z } from 'zod';
import { MAX_INBOUND_TEXT_LENGTH } from '../../shared/domain';
import { readContactsContent, readInteractive, readOrder, readSystem } from './webhook-content-rich';
import { optionalString, truncate, Wamid } from './webhook-fields';
import type { InboundContent } from './webhook-types';

export { MAX_INBOUND_TEXT_LENGTH };

/** Matches `waType` in the shared MessageContent, so an unknown type always fits downstream. */
const MAX_WA_TYPE_LENGTH = 64;

/** A message object, already known to be one; its per-type field (`text`, `image`, …) is read here. */
export type MessageBody = Readonly<Record<string, unknown>>;

/**
 * The string limits of the shared MessageContent. A longer value is cut to fit (ending in "…") rather than stored
 * whole: the relay reads its rows back through that schema, and so does every console.
 */
const FITS = { mimeType: 255, fileName: 255, caption: MAX_INBOUND_TEXT_LENGTH, place: 1_000, emoji: 32, button: 1_024 } as const;
export const fitted = (max: number) => z.string().transform((text) => truncate(text, max));
export const optionalFitted = (max: number) => fitted(max).optional().catch(undefined);

const TextContent = z.object({ body: fitted(MAX_INBOUND_TEXT_LENGTH) });
const MediaContent = z.object({
  id: z.string().min(1),
  mime_type: fitted(FITS.mimeType),
  filename: optionalFitted(FITS.fileName),
  caption: optionalFitted(FITS.caption),
  sha256: optionalString,
  voice: z.boolean().optional().catch(undefined),
});
const LocationContent = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: optionalFitted(FITS.place),
  address: optionalFitted(FITS.place),
});
// Meta may send an empty emoji, or none, when the customer takes their reaction back.
const ReactionContent = z.object({ message_id: Wamid, emoji: fitted(FITS.emoji).optional() });
const ButtonContent = z.object({ text: fitted(FITS.button), payload: optionalFitted(FITS.button) });
const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'document', 'audio', 'video', 'sticker']);
const MediaType = z.enum(['image', 'document', 'audio', 'video', 'sticker']);

export function unsupported(type: string): InboundContent {
  return { type: 'unsupported', waType: truncate(type, MAX_WA_TYPE_LENGTH) };
}

/** Content by type. A known type with a malformed body is kept as unsupported, never dropped. */
export function readContent(type: string, message: MessageBody): InboundContent {
  return readKnown(type, message) ?? unsupported(type);
}

function readKnown(type: string, message: MessageBody): InboundContent | null {
  if (type === 'text') {
    const text = TextContent.safeParse(message['text']);
    return text.success ? { type: 'text', body: text.data.body } : null;
  }
  if (MEDIA_TYPES.has(type)) return readMedia(type, message[type]);
  if (type === 'location') {
    const location = LocationContent.safeParse(message['location']);
    if (!location.success) return null;
    const { latitude, longitude, name, address } = location.data;
    return { type: 'location', latitude, longitude, ...(name !== undefined && { name }), ...(address !== undefined && { address }) };
  }
  if (type === 'reaction') {
    const reaction = ReactionContent.safeParse(message['reaction']);
    return reaction.success ? { type: 'reaction', emoji: reaction.data.emoji ?? '', targetWamid: reaction.data.message_id } : null;
  }
  if (type === 'button') {
    const button = ButtonContent.safeParse(message['button']);
    if (!button.success) return null;
    const { text, payload } = button.data;
    return { type: 'button_reply', text, ...(payload !== undefined && { payload }) };
  }
  if (type === 'interactive') return readInteractive(message['interactive']);
  if (type === 'contacts') return readContactsContent(message['contacts']);
  if (type === 'order') return readOrder(message['order']);
  if (type === 'system') return readSystem(message['system']);
  // The customer opened the chat for the first time (welcome messages): nothing said yet, but the agent should know.
  if (type === 'request_welcome') return { type: 'system', event: 'chat_opened' };
  return null;
}

function readMedia(type: string, body: unknown): InboundContent | null {
  const mediaType = MediaType.safeParse(type);
  const media = MediaContent.safeParse(body);
  if (!mediaType.success || !media.success) return null;
  const { id, mime_type, filename, caption, sha256, voice } = media.data;
  return {
    type: mediaType.data,
    waMediaId: id,
    mimeType: mime_type,
    ...(filename !== undefined && { fileName: filename }),
    ...(caption !== undefined && { caption }),
    ...(sha256 !== undefined && { sha256 }),
    ...(mediaType.data === 'audio' && voice !== undefined && { voice }),
  };
}
