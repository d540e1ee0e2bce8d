// Status updates for our outbound messages: one at a time, the recipient by phone number, BSUID or both.
import { z } from 'zod';
import type { SendFailure } from '../../shared/domain';
import { metaFailureCode } from './meta-errors';
import { clampTimestamp, optionalString, skip, skipInvalid, truncate, UnixSecondsAsMs, Wamid, type BatchBuilder, type Path } from './webhook-fields';
import { NO_RECIPIENT, userRef } from './webhook-identity';
import type { UserRef } from './webhook-types';

/** Matches SendFailure.message in the shared domain. */
const MAX_FAILURE_MESSAGE_LENGTH = 1_000;
const FAILED_WITHOUT_DETAILS = 'WhatsApp reported the message as failed';

const KEPT_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
const KEPT_STATUS_SET: ReadonlySet<string> = new Set(KEPT_STATUSES);
const StatusHead = z.looseObject({ status: z.string() });
const KeptStatus = z.looseObject({
  id: Wamid,
  status: z.enum(KEPT_STATUSES),
  timestamp: UnixSecondsAsMs,
  // Omitted for messages sent to a BSUID (Meta's business-scoped user id page); `recipient_user_id` names them then.
  recipient_id: z.string().max(256).optional(),
  recipient_user_id: z.unknown().optional(),
  recipient_type: z.unknown().optional(),
  biz_opaque_callback_data: z.unknown().optional(),
  errors: z.unknown().optional(),
});
const MetaError = z.object({
  code: z.number().int().optional().catch(undefined),
  title: optionalString,
  message: optionalString,
  error_data: z.object({ details: optionalString }).optional().catch(undefined),
});

/** A group has no person to name: its statuses carry the group id as `recipient_id`, which UserRef cannot hold. */
const GROUP_RECIPIENT: UserRef = { waId: null, bsuid: null, username: null, profileName: null };

/**
 * Adds the status to the batch, or to `skipped` when it cannot be read. Statuses the relay does not track ('deleted',
 * 'warning', 'played', future ones) are understood and left out, not skipped.
 */
export function readStatus(batch: BatchBuilder, raw: unknown, path: Path, phoneNumberId: string, contacts: readonly UserRef[]): void {
  const head = StatusHead.safeParse(raw);
  if (!head.success) return skipInvalid(batch, path, head.error);
  if (!KEPT_STATUS_SET.has(head.data.status)) return;
  const status = KeptStatus.safeParse(raw);
  if (!status.success) return skipInvalid(batch, path, status.error);
  const s = status.data;
  const recipient = s.recipient_type === 'group' ? GROUP_RECIPIENT : userRef(s.recipient_id, [s.recipient_user_id], contacts);
  if (recipient === null) return skip(batch, path, `status ${NO_RECIPIENT}`);
  batch.statuses.push({
    wamid: s.id,
    status: s.status,
    timestamp: clampTimestamp(s.timestamp, batch.now),
    recipient,
    failure: s.status === 'failed' ? readFailure(s.errors) : null,
    bizOpaque: typeof s.biz_opaque_callback_data === 'string' ? truncate(s.biz_opaque_callback_data, 512) : null,
    phoneNumberId,
  });
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
