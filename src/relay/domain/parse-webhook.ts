// Reads one Meta webhook delivery (already JSON-parsed) into inbound messages and status updates, or refuses it whole.
import { z } from 'zod';
import { WaId } from '../../shared/domain';
import type { SendFailure } from '../../shared/domain';
import { fail, ok } from '../../shared/errors';
import type { Result } from '../../shared/errors';
import type { InboundItem, StatusItem, WebhookBatch } from './webhook-types';
import { metaFailureCode } from './meta-errors';
import { formatPath, readContent, truncate, Wamid, type Path } from './webhook-content';

export { MAX_INBOUND_TEXT_LENGTH } from './webhook-content';

/** Matches SendFailure.message in the shared domain. */
const MAX_FAILURE_MESSAGE_LENGTH = 1_000;
const FAILED_WITHOUT_DETAILS = 'WhatsApp reported the message as failed';

// Meta sends Unix seconds, normally as a digit string; the cap keeps milliseconds a safe integer.
const SECONDS_ERROR = 'expected Unix seconds as a digit string or a whole number';
const UnixSecondsAsMs = z
  .union([
    z.string().regex(/^\d{1,12}$/, SECONDS_ERROR),
    z.number(SECONDS_ERROR).int(SECONDS_ERROR).nonnegative(SECONDS_ERROR).max(999_999_999_999, SECONDS_ERROR),
  ])
  .transform((seconds) => Number(seconds) * 1000);

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
const Context = z.object({ id: Wamid });
const MetaError = z.object({
  code: z.number().int().optional().catch(undefined),
  title: optionalString,
  message: optionalString,
  error_data: z.object({ details: optionalString }).optional().catch(undefined),
});

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

/** Only the first problem is reported: enough for IT to find it, and zod messages never echo input. */
function refuse(prefix: Path, error: z.ZodError): Result<never> {
  const issue = error.issues[0];
  const path = formatPath([...prefix, ...(issue?.path ?? [])]);
  return fail('invalid_input', `invalid webhook delivery at ${path}: ${issue?.message ?? 'malformed'}`);
}
