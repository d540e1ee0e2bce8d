// Reads one Meta webhook delivery (already JSON-parsed) item by item: what it cannot understand is skipped, never the rest.
import { z } from 'zod';
import { fail, ok } from '../../shared/errors';
import type { Result } from '../../shared/errors';
import { readAccountChange, readDeliveryErrors } from './webhook-account-events';
import { readContent, type MessageBody } from './webhook-content';
import { clampTimestamp, finish, formatPath, newBatch, skip, skipInvalid, UnixSecondsAsMs, Wamid, type BatchBuilder, type Path } from './webhook-fields';
import { bsuidOf, NO_SENDER, readContacts, userRef, waIdOf } from './webhook-identity';
import { readStatus } from './webhook-statuses';
import type { InboundContent, UserRef, WebhookBatch } from './webhook-types';

export { MAX_INBOUND_TEXT_LENGTH } from './webhook-content';

export interface ParseOptions {
  /** When the delivery arrived (ms since the epoch): timestamps later than this plus a small skew are clamped to it. */
  readonly now: number;
}

// Only the skeleton decides whether this is a WhatsApp delivery at all; everything inside is read item by item.
const Envelope = z.looseObject({ object: z.literal('whatsapp_business_account'), entry: z.array(z.unknown()) });
const Entry = z.looseObject({ changes: z.array(z.unknown()) });
const Change = z.looseObject({ field: z.string().min(1).max(128), value: z.unknown().optional() });
const MessagesValue = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1).max(64) }),
  contacts: z.unknown().optional(),
  messages: z.unknown().optional(),
  statuses: z.unknown().optional(),
  errors: z.unknown().optional(),
});
const MessageHead = z.looseObject({
  id: Wamid,
  timestamp: UnixSecondsAsMs,
  type: z.string(),
  from: z.unknown().optional(),
  from_user_id: z.unknown().optional(),
  user_id: z.unknown().optional(),
  group_id: z.string().min(1).max(256).optional().catch(undefined),
  context: z.unknown().optional(),
  system: z.unknown().optional(),
});
const Context = z.object({ id: Wamid });
const Revoke = z.looseObject({ original_message_id: Wamid });
const Edit = z.looseObject({ original_message_id: Wamid, message: z.record(z.string(), z.unknown()).optional().catch(undefined) });
const SystemIds = z.looseObject({
  type: z.unknown().optional(),
  previous_user_id: z.unknown().optional(),
  user_id: z.unknown().optional(),
  wa_id: z.unknown().optional(),
});
/** What an edited message may carry when Meta's `edit.message` names no `type`: the edit page lists text and captioned media. */
const EDITABLE_TYPES = ['text', 'image', 'video', 'document', 'audio', 'sticker'] as const;

/**
 * Never throws. Refuses (`invalid_input`) only a body that is not a WhatsApp Business Account delivery: a wrong
 * `object` or no `entry` array. Anything inside that cannot be understood, a change, message, status or preference,
 * is listed in `skipped` (JSON path and reason, never a value from the body) and the rest is kept: a refusal makes
 * Meta retry and then drop the whole batch, other customers' messages with it.
 */
export function parseWebhook(body: unknown, options: ParseOptions): Result<WebhookBatch> {
  let envelope: ReturnType<typeof Envelope.safeParse>;
  try {
    envelope = Envelope.safeParse(body);
  } catch {
    // Only reachable through hostile objects (throwing getters, proxies); JSON.parse never makes those.
    return fail('invalid_input', 'webhook delivery could not be read');
  }
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return fail('invalid_input', `invalid webhook delivery at ${formatPath(issue?.path ?? [])}: ${issue?.message ?? 'malformed'}`);
  }
  const batch = newBatch(options.now);
  for (const [entryIndex, entry] of envelope.data.entry.entries()) {
    guarded(batch, ['entry', entryIndex], () => readEntry(batch, entry, ['entry', entryIndex]));
  }
  return ok(finish(batch));
}

/** One item's failure stays that item's: even a throwing getter costs only the part it sits in. */
function guarded(batch: BatchBuilder, path: Path, read: () => void): void {
  try {
    read();
  } catch {
    skip(batch, path, 'could not be read');
  }
}

function readEntry(batch: BatchBuilder, raw: unknown, path: Path): void {
  const entry = Entry.safeParse(raw);
  if (!entry.success) return skipInvalid(batch, path, entry.error);
  for (const [changeIndex, rawChange] of entry.data.changes.entries()) {
    const changePath = [...path, 'changes', changeIndex];
    guarded(batch, changePath, () => {
      const change = Change.safeParse(rawChange);
      if (!change.success) return skipInvalid(batch, changePath, change.error);
      if (change.data.field === 'messages') readMessagesChange(batch, change.data.value, [...changePath, 'value']);
      else readAccountChange(batch, change.data.field, change.data.value, changePath);
    });
  }
}

function readMessagesChange(batch: BatchBuilder, raw: unknown, path: Path): void {
  const value = MessagesValue.safeParse(raw);
  if (!value.success) return skipInvalid(batch, path, value.error);
  const phoneNumberId = value.data.metadata.phone_number_id;
  const contacts = readContacts(value.data.contacts);
  readDeliveryErrors(batch, value.data.errors, [...path, 'errors'], phoneNumberId);
  for (const [key, read] of [
    ['messages', (item: unknown, itemPath: Path) => readMessage(batch, item, itemPath, phoneNumberId, contacts)],
    ['statuses', (item: unknown, itemPath: Path) => readStatus(batch, item, itemPath, phoneNumberId, contacts)],
  ] as const) {
    const items = value.data[key];
    if (items === undefined) continue;
    if (!Array.isArray(items)) {
      skip(batch, [...path, key], `expected an array of ${key}`);
      continue;
    }
    for (const [index, item] of items.entries()) guarded(batch, [...path, key, index], () => read(item, [...path, key, index]));
  }
}

function readMessage(batch: BatchBuilder, raw: unknown, path: Path, phoneNumberId: string, contacts: readonly UserRef[]): void {
  const head = MessageHead.safeParse(raw);
  if (!head.success) return skipInvalid(batch, path, head.error);
  const message: MessageBody = head.data;
  const { id: wamid, type } = head.data;
  const system = type === 'system' ? SystemIds.safeParse(head.data.system).data : undefined;
  // A system notice about a new BSUID names the customer by the previous one: that is who the history belongs to.
  const from = userRef(head.data.from, [system?.previous_user_id, head.data.from_user_id, head.data.user_id], contacts);
  if (from === null) return skip(batch, path, `message ${NO_SENDER}`);
  const timestamp = clampTimestamp(head.data.timestamp, batch.now);
  const groupId = head.data.group_id ?? null;

  if (type === 'revoke' || type === 'edit') {
    const revision = readRevision(type, message);
    if (revision instanceof z.ZodError) return skipInvalid(batch, [...path, type], revision);
    batch.revisions.push({ wamid, kind: type === 'edit' ? 'edit' : 'delete', ...revision, from, timestamp, phoneNumberId, groupId });
    return;
  }

  const context = Context.safeParse(head.data.context);
  batch.messages.push({
    wamid,
    from,
    timestamp,
    content: readContent(type, message),
    contextWamid: context.success ? context.data.id : null,
    phoneNumberId,
    groupId,
  });
  if (system !== undefined) recordUserIdChange(batch, system, from, phoneNumberId);
}

type Revision = { targetWamid: string; content: InboundContent | null };

/** An edit carries the new version under `edit.message`; a revoke only names the message the customer deleted. */
function readRevision(type: 'edit' | 'revoke', message: MessageBody): Revision | z.ZodError {
  if (type === 'revoke') {
    const revoke = Revoke.safeParse(message['revoke']);
    return revoke.success ? { targetWamid: revoke.data.original_message_id, content: null } : revoke.error;
  }
  const edit = Edit.safeParse(message['edit']);
  if (!edit.success) return edit.error;
  const edited = edit.data.message;
  return { targetWamid: edit.data.original_message_id, content: edited === undefined ? null : readContent(editedType(edited), edited) };
}

function editedType(edited: MessageBody): string {
  const declared = edited['type'];
  if (typeof declared === 'string') return declared;
  return EDITABLE_TYPES.find((type) => edited[type] !== undefined) ?? 'edit';
}

/** A system notice that carries both BSUIDs also updates the customer record, apart from the line the agent sees. */
function recordUserIdChange(batch: BatchBuilder, system: z.infer<typeof SystemIds>, from: UserRef, phoneNumberId: string): void {
  const previousBsuid = bsuidOf(system.previous_user_id);
  const bsuid = bsuidOf(system.user_id);
  if (previousBsuid === null || bsuid === null || previousBsuid === bsuid) return;
  const newWaId = system.type === 'user_changed_number' ? waIdOf(system.wa_id) : null;
  batch.accountEvents.push({ kind: 'user_id_changed', previousBsuid, bsuid, waId: newWaId ?? from.waId, phoneNumberId });
}
