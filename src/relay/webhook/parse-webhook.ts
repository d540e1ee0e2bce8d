// Reads one Meta webhook delivery (already JSON-parsed) into inbound messages and status updates, or refuses it whole.
import { z } from 'zod';
import { WaId } from '../../shared/domain';
import type { SendFailure } from '../../shared/domain';
import { fail, ok } from '../../shared/errors';
import type { Result } from '../../shared/errors';
import type { InboundContent, InboundItem, StatusItem, WebhookBatch } from './types';
import { metaFailureCode } from '../whatsapp/meta-errors';

/**
 * WhatsApp caps text at 4,096 characters; this leaves Meta room to raise that without us dropping
 * real messages, while a body far beyond it is not a customer typing and is refused.
 */
export const MAX_INBOUND_TEXT_LENGTH = 65_536;

/** Matches `waType` in the shared MessageContent, so an unknown type always fits downstream. */
const MAX_WA_TYPE_LENGTH = 64;
/** Matches SendFailure.message in the shared domain. */
const MAX_FAILURE_MESSAGE_LENGTH = 1_000;
const FAILED_WITHOUT_DETAILS = 'WhatsApp reported the message as failed';

type Path = readonly PropertyKey[];

// Meta sends Unix seconds, normally as a digit string; the cap keeps milliseconds a safe integer.
const SECONDS_ERROR = 'expected Unix seconds as a digit string or a whole number';
const UnixSecondsAsMs = z
  .union([
    z.string().regex(/^\d{1,12}$/, SECONDS_ERROR),
    z.number(SECONDS_ERROR).int(SECONDS_ERROR).nonnegative(SECONDS_ERROR).max(999_999_999_999, SECONDS_ERROR),
  ])
  .transform((seconds) => Number(seconds) * 1000);

/** A wamid: opaque to us, but bounded so one delivery cannot plant a huge key in the store. */
const Wamid = z.string().min(1).max(512);

// Only the skeleton is checked here: a change for another field may carry anything.
const Envelope = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      changes: z.array(z.object({ field: z.unknown().optional(), value: z.unknown().optional() })),
    }),
  ),
});

// Loose objects: the per-type content (`text`, `image`, …) is read separately, leniently.
const MessageHead = z.looseObject({ id: Wamid, from: WaId, timestamp: UnixSecondsAsMs, type: z.string() });
const StatusHead = z.looseObject({ status: z.string() });

const KEPT_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
const KEPT_STATUS_SET: ReadonlySet<string> = new Set(KEPT_STATUSES);
const KeptStatus = z.looseObject({
  id: Wamid,
  status: z.enum(KEPT_STATUSES),
  timestamp: UnixSecondsAsMs,
  recipient_id: z.string().min(1).max(64),
});

const MessagesValue = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1).max(64) }),
  contacts: z.unknown().optional(),
  messages: z.array(MessageHead).optional(),
  statuses: z.array(StatusHead).optional(),
});

// A wrong-typed optional field is dropped rather than costing the customer their message.
const optionalString = z.string().optional().catch(undefined);

const Contact = z.object({ wa_id: z.string(), profile: z.object({ name: z.string() }) });
const TextContent = z.object({ body: z.string() });
const MediaContent = z.object({
  id: z.string().min(1),
  mime_type: z.string(),
  filename: optionalString,
  caption: optionalString,
  sha256: optionalString,
  voice: z.boolean().optional().catch(undefined),
});
const LocationContent = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: optionalString,
  address: optionalString,
});
// Meta may send an empty emoji, or none, when the customer takes their reaction back.
const ReactionContent = z.object({ message_id: Wamid, emoji: z.string().optional() });
const ButtonContent = z.object({ text: z.string(), payload: optionalString });
const InteractiveContent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('button_reply'), button_reply: z.object({ id: z.string(), title: z.string() }) }),
  z.object({ type: z.literal('list_reply'), list_reply: z.object({ id: z.string(), title: z.string() }) }),
]);
const Context = z.object({ id: Wamid });
const MetaError = z.object({
  code: z.number().int().optional().catch(undefined),
  title: optionalString,
  message: optionalString,
  error_data: z.object({ details: optionalString }).optional().catch(undefined),
});

const MEDIA_TYPES = new Set(['image', 'document', 'audio', 'video', 'sticker'] as const);
type MediaType = 'image' | 'document' | 'audio' | 'video' | 'sticker';

/**
 * Never throws. A delivery whose envelope, message or kept status lacks a required field is
 * refused whole (`invalid_input`, naming the JSON path), so Meta redelivers it rather than the
 * relay storing half of it. The message never carries a value from the body.
 */
export function parseWebhook(body: unknown): Result<WebhookBatch> {
  try {
    return readDelivery(body);
  } catch {
    // Only reachable through hostile objects (throwing getters, proxies); JSON.parse never makes those.
    return fail('invalid_input', 'webhook delivery could not be read');
  }
}

function readDelivery(body: unknown): Result<WebhookBatch> {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) return refuse([], envelope.error);

  const messages: InboundItem[] = [];
  const statuses: StatusItem[] = [];

  for (const [entryIndex, entry] of envelope.data.entry.entries()) {
    for (const [changeIndex, change] of entry.changes.entries()) {
      if (change.field !== 'messages') continue;
      const valuePath: Path = ['entry', entryIndex, 'changes', changeIndex, 'value'];
      const value = MessagesValue.safeParse(change.value);
      if (!value.success) return refuse(valuePath, value.error);

      const phoneNumberId = value.data.metadata.phone_number_id;
      const names = profileNames(value.data.contacts);

      for (const [messageIndex, message] of (value.data.messages ?? []).entries()) {
        const content = readContent(message, [...valuePath, 'messages', messageIndex]);
        if (!content.ok) return content;
        messages.push({
          wamid: message.id,
          from: message.from,
          profileName: names.get(message.from) ?? null,
          timestamp: message.timestamp,
          content: content.value,
          contextWamid: readContextWamid(message['context']),
          phoneNumberId,
        });
      }

      for (const [statusIndex, head] of (value.data.statuses ?? []).entries()) {
        // Statuses we do not track ('deleted', 'warning', future ones) are skipped, not refused.
        if (!KEPT_STATUS_SET.has(head.status)) continue;
        const status = KeptStatus.safeParse(head);
        if (!status.success) return refuse([...valuePath, 'statuses', statusIndex], status.error);
        statuses.push({
          wamid: status.data.id,
          status: status.data.status,
          timestamp: status.data.timestamp,
          recipient: status.data.recipient_id,
          failure: status.data.status === 'failed' ? readFailure(status.data['errors']) : null,
          bizOpaque: typeof status.data['biz_opaque_callback_data'] === 'string' ? status.data['biz_opaque_callback_data'] : null,
          phoneNumberId,
        });
      }
    }
  }

  return ok({ messages, statuses });
}

/** Names are a nicety: a malformed `contacts` costs the name, never the message. */
function profileNames(contacts: unknown): Map<string, string> {
  const names = new Map<string, string>();
  if (!Array.isArray(contacts)) return names;
  for (const candidate of contacts) {
    const contact = Contact.safeParse(candidate);
    if (contact.success && contact.data.profile.name !== '' && !names.has(contact.data.wa_id)) {
      names.set(contact.data.wa_id, contact.data.profile.name);
    }
  }
  return names;
}

function readContextWamid(context: unknown): string | null {
  const parsed = Context.safeParse(context);
  return parsed.success ? parsed.data.id : null;
}

/** Content by type. A known type with a malformed body is kept as unsupported, never dropped. */
function readContent(message: z.infer<typeof MessageHead>, path: Path): Result<InboundContent> {
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

function readFailure(errors: unknown): SendFailure {
  const first = Array.isArray(errors) ? MetaError.safeParse(errors[0]) : undefined;
  if (first === undefined || !first.success) return { code: 'rejected', message: FAILED_WITHOUT_DETAILS };
  const { code, title, message, error_data: errorData } = first.data;
  const headline = title ?? message ?? FAILED_WITHOUT_DETAILS;
  const details = errorData?.details;
  return {
    code: metaFailureCode(code) ?? 'rejected',
    message: truncate(details !== undefined && details !== '' ? `${headline} — ${details}` : headline, MAX_FAILURE_MESSAGE_LENGTH),
    ...(code !== undefined && { metaCode: code }),
  };
}

/** Cuts at a length in UTF-16 units (what zod's max counts) without leaving half a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** Only the first problem is reported: enough for IT to find it, and zod messages never echo input. */
function refuse(prefix: Path, error: z.ZodError): Result<never> {
  const issue = error.issues[0];
  const path = formatPath([...prefix, ...(issue?.path ?? [])]);
  return fail('invalid_input', `invalid webhook delivery at ${path}: ${issue?.message ?? 'malformed'}`);
}

/** `entry[0].changes[1].value.messages[2].from`: keys come from our schemas, never from the body. */
function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}
