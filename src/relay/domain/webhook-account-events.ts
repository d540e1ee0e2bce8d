// Changes for webhook fields other than `messages`, and a delivery's own `errors`: acknowledged, acted on, logged.
import { z } from 'zod';
import { clampTimestamp, optionalString, skip, skipInvalid, truncate, UnixSecondsAsMs, type BatchBuilder, type Path } from './webhook-fields';
import { NO_SENDER, readContacts, userRef } from './webhook-identity';

/** Event names and reasons are Meta's words (APPROVED, FLAGGED …), bounded so a malformed value cannot flood a log line. */
const MAX_EVENT_LENGTH = 128;
const word = z
  .union([z.string(), z.number()])
  .transform((value) => truncate(String(value), MAX_EVENT_LENGTH))
  .optional()
  .catch(undefined);

const TemplateStatus = z.looseObject({
  event: z.string().min(1),
  message_template_name: word,
  message_template_language: word,
  reason: word,
});
const QualityUpdate = z.looseObject({
  event: z.string().min(1),
  display_phone_number: word,
  current_limit: word,
  // Meta's page: `current_limit` goes away in February 2026 in favour of this one.
  max_daily_conversations_per_business: word,
});
const AccountUpdate = z.looseObject({ event: z.string().min(1) });
const Metadata = z.looseObject({ phone_number_id: z.string().min(1).max(64) });
const UserPreferences = z.looseObject({ user_preferences: z.array(z.unknown()), contacts: z.unknown().optional(), metadata: z.unknown().optional() });
const Preference = z.looseObject({
  wa_id: z.unknown().optional(),
  user_id: z.unknown().optional(),
  category: z.literal('marketing_messages'),
  value: z.enum(['stop', 'resume']),
  // Meta's page shows no timestamp on a preference; when one comes it is used, otherwise the arrival time.
  timestamp: UnixSecondsAsMs.optional().catch(undefined),
});
const MetaError = z.looseObject({
  code: z.number().int().optional().catch(undefined),
  title: optionalString,
  message: optionalString,
  error_data: z.object({ details: optionalString }).optional().catch(undefined),
});

/** A change whose `field` is not `messages`. Fields the relay has no use for are still recorded, by name, for the log. */
export function readAccountChange(batch: BatchBuilder, field: string, value: unknown, path: Path): void {
  const valuePath = [...path, 'value'];
  if (field === 'message_template_status_update') {
    const update = TemplateStatus.safeParse(value);
    if (!update.success) return skipInvalid(batch, valuePath, update.error);
    const { event, message_template_name: templateName, message_template_language: language, reason } = update.data;
    batch.accountEvents.push({
      kind: 'template_status',
      templateName: templateName ?? null,
      language: language ?? null,
      status: truncate(event, MAX_EVENT_LENGTH),
      reason: reason ?? null,
    });
    return;
  }
  if (field === 'phone_number_quality_update') {
    const update = QualityUpdate.safeParse(value);
    if (!update.success) return skipInvalid(batch, valuePath, update.error);
    const { event, display_phone_number: phoneNumber, current_limit: current, max_daily_conversations_per_business: daily } = update.data;
    batch.accountEvents.push({ kind: 'quality', phoneNumber: phoneNumber ?? null, event: truncate(event, MAX_EVENT_LENGTH), limit: daily ?? current ?? null });
    return;
  }
  if (field === 'account_update') {
    const update = AccountUpdate.safeParse(value);
    if (!update.success) return skipInvalid(batch, valuePath, update.error);
    batch.accountEvents.push({ kind: 'account', event: truncate(update.data.event, MAX_EVENT_LENGTH) });
    return;
  }
  if (field === 'user_preferences') return readUserPreferences(batch, value, valuePath);
  batch.accountEvents.push({ kind: 'account', event: truncate(field, MAX_EVENT_LENGTH) });
}

/** `user_preferences`: a customer stopped or resumed marketing messages from this number. */
function readUserPreferences(batch: BatchBuilder, value: unknown, valuePath: Path): void {
  const change = UserPreferences.safeParse(value);
  if (!change.success) return skipInvalid(batch, valuePath, change.error);
  const metadata = Metadata.safeParse(change.data.metadata);
  const phoneNumberId = metadata.success ? metadata.data.phone_number_id : null;
  const contacts = readContacts(change.data.contacts);
  for (const [index, raw] of change.data.user_preferences.entries()) {
    const path = [...valuePath, 'user_preferences', index];
    const preference = Preference.safeParse(raw);
    if (!preference.success) {
      skipInvalid(batch, path, preference.error);
      continue;
    }
    const { wa_id: waId, user_id: userId, value: choice, timestamp } = preference.data;
    const user = userRef(waId, [userId], contacts);
    if (user === null) {
      skip(batch, path, `preference ${NO_SENDER}`);
      continue;
    }
    batch.accountEvents.push({
      kind: 'marketing_preference',
      user,
      value: choice,
      timestamp: clampTimestamp(timestamp ?? batch.now, batch.now),
      phoneNumberId,
    });
  }
}

/** A `messages` change's own `errors` (e.g. 130429, rate limit hit): a problem with the delivery, not with one message. */
export function readDeliveryErrors(batch: BatchBuilder, errors: unknown, path: Path, phoneNumberId: string): void {
  if (errors === undefined) return;
  if (!Array.isArray(errors)) return skip(batch, path, 'expected an array of errors');
  for (const [index, raw] of errors.entries()) {
    const error = MetaError.safeParse(raw);
    if (!error.success) {
      skipInvalid(batch, [...path, index], error.error);
      continue;
    }
    const { code, title, message, error_data: data } = error.data;
    batch.errors.push({
      code: code ?? null,
      title: truncate(title ?? message ?? 'WhatsApp reported an error without a title', 1_000),
      details: data?.details !== undefined && data.details !== '' ? truncate(data.details, 1_000) : null,
      phoneNumberId,
    });
  }
}
