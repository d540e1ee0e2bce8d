// What one inbound WhatsApp message says, by type: read leniently, cut to the shared limits, never dropped.
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/errors';
import type { InboundContent } from './webhook-types';

/**
 * WhatsApp caps text at 4,096 characters; this leaves Meta room to raise that without us dropping
 * real messages, while a body far beyond it is not a customer typing and is refused.
 */
export const MAX_INBOUND_TEXT_LENGTH = 65_536;

/** Matches `waType` in the shared MessageContent, so an unknown type always fits downstream. */
const MAX_WA_TYPE_LENGTH = 64;

export type Path = readonly PropertyKey[];

/** A wamid: opaque to us, but bounded so one delivery cannot plant a huge key in the store. */
export const Wamid = z.string().min(1).max(512);

/** The head of a message, already checked; its per-type field (`text`, `image`, …) is read here. */
export type MessageHead = { readonly type: string } & Readonly<Record<string, unknown>>;

// A wrong-typed optional field is dropped rather than costing the customer their message.
const optionalString = z.string().optional().catch(undefined);

/**
 * The string limits of the shared MessageContent. A longer value is cut to fit rather than stored
 * whole: the relay reads its rows back through that schema, and so does every console.
 */
const FITS = { mimeType: 255, fileName: 255, caption: MAX_INBOUND_TEXT_LENGTH, place: 1_000, emoji: 32, button: 1_024 } as const;
const fitted = (max: number) => z.string().transform((text) => truncate(text, max));
const optionalFitted = (max: number) => fitted(max).optional().catch(undefined);

const TextContent = z.object({ body: z.string() });
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
const InteractiveContent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('button_reply'), button_reply: z.object({ id: fitted(FITS.button), title: fitted(FITS.button) }) }),
  z.object({ type: z.literal('list_reply'), list_reply: z.object({ id: fitted(FITS.button), title: fitted(FITS.button) }) }),
]);
const MEDIA_TYPES = new Set(['image', 'document', 'audio', 'video', 'sticker'] as const);
type MediaType = 'image' | 'document' | 'audio' | 'video' | 'sticker';

/** Content by type. A known type with a malformed body is kept as unsupported, never dropped. */
export function readContent(message: MessageHead, path: Path): Result<InboundContent> {
  const type = message.type;
  const unsupported: InboundContent = { type: 'unsupported', waType: truncate(type, MAX_WA_TYPE_LENGTH) };

  if (type === 'text') {
    const text = TextContent.safeParse(message['text']);
    if (!text.success) return ok(unsupported);
    if (text.data.body.length > MAX_INBOUND_TEXT_LENGTH) {
      return fail(
        'invalid_input',
        `invalid webhook delivery at ${formatPath([...path, 'text', 'body'])}: text longer than ${MAX_INBOUND_TEXT_LENGTH} characters`,
      );
    }
    return ok({ type: 'text', body: text.data.body });
  }

  if (isMediaType(type)) {
    const media = MediaContent.safeParse(message[type]);
    if (!media.success) return ok(unsupported);
    const { id, mime_type, filename, caption, sha256, voice } = media.data;
    return ok({
      type,
      waMediaId: id,
      mimeType: mime_type,
      ...(filename !== undefined && { fileName: filename }),
      ...(caption !== undefined && { caption }),
      ...(sha256 !== undefined && { sha256 }),
      ...(type === 'audio' && voice !== undefined && { voice }),
    });
  }

  if (type === 'location') {
    const location = LocationContent.safeParse(message['location']);
    if (!location.success) return ok(unsupported);
    const { latitude, longitude, name, address } = location.data;
    return ok({
      type: 'location',
      latitude,
      longitude,
      ...(name !== undefined && { name }),
      ...(address !== undefined && { address }),
    });
  }

  if (type === 'reaction') {
    const reaction = ReactionContent.safeParse(message['reaction']);
    if (!reaction.success) return ok(unsupported);
    return ok({ type: 'reaction', emoji: reaction.data.emoji ?? '', targetWamid: reaction.data.message_id });
  }

  if (type === 'button') {
    const button = ButtonContent.safeParse(message['button']);
    if (!button.success) return ok(unsupported);
    const { text, payload } = button.data;
    return ok({ type: 'button_reply', text, ...(payload !== undefined && { payload }) });
  }

  if (type === 'interactive') {
    const interactive = InteractiveContent.safeParse(message['interactive']);
    if (!interactive.success) return ok(unsupported);
    const reply = interactive.data.type === 'button_reply' ? interactive.data.button_reply : interactive.data.list_reply;
    return ok({ type: 'button_reply', text: reply.title, payload: reply.id });
  }

  return ok(unsupported);
}

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as ReadonlySet<string>).has(type);
}

/**
 * Cuts at a length in UTF-16 units (what zod's max counts) without leaving half a surrogate pair, and ends the cut
 * text with "…" so the agent sees that something is missing. The limits sit above what WhatsApp itself lets a customer
 * send; this guards the stored rows against a malformed delivery rather than trimming real messages.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  return `${last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut}…`;
}

/** `entry[0].changes[1].value.messages[2].from`: keys come from our schemas, never from the body. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}
