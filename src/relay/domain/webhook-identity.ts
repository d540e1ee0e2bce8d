// Who a message or status is about: the phone number, the business-scoped user id (BSUID), or both, named for display.
import { z } from 'zod';
import { Bsuid, WaId } from '../../shared/domain';
import { MAX_PROFILE_NAME_LENGTH, MAX_USERNAME_LENGTH, neutraliseDisplayText } from './display-name';
import type { UserRef } from './webhook-types';

// Every part optional: since 2026 `wa_id` is omitted for users whose number WhatsApp withholds, and the username sits
// under `profile` in Meta's reference pages (a top-level `username` is read too, for deliveries that put it there).
const Contact = z.looseObject({
  wa_id: z.unknown().optional(),
  user_id: z.unknown().optional(),
  username: z.unknown().optional(),
  profile: z.looseObject({ name: z.unknown().optional(), username: z.unknown().optional() }).optional().catch(undefined),
});

export function waIdOf(value: unknown): string | null {
  const parsed = WaId.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function bsuidOf(value: unknown): string | null {
  const parsed = Bsuid.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function displayOf(value: unknown, max: number): string | null {
  return typeof value === 'string' ? neutraliseDisplayText(value, max) : null;
}

/** A change's `contacts`, read leniently: a malformed entry costs its name, never the message it names. */
export function readContacts(contacts: unknown): readonly UserRef[] {
  if (!Array.isArray(contacts)) return [];
  const refs: UserRef[] = [];
  for (const candidate of contacts) {
    const contact = Contact.safeParse(candidate);
    if (!contact.success) continue;
    const { wa_id: waId, user_id: userId, username, profile } = contact.data;
    const ref: UserRef = {
      waId: waIdOf(waId),
      bsuid: bsuidOf(userId),
      username: displayOf(profile?.username ?? username, MAX_USERNAME_LENGTH),
      profileName: displayOf(profile?.name, MAX_PROFILE_NAME_LENGTH),
    };
    if (ref.waId !== null || ref.bsuid !== null) refs.push(ref);
  }
  return refs;
}

/** True when the value is absent or an empty string: WhatsApp's way of withholding a phone number. */
function withheld(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * The user an item names, completed from its contact entry (matched by phone number or BSUID; the item's own ids win).
 * An item that names nobody itself takes the change's only contact: Meta's BSUID-only examples name the sender there
 * alone. Null when no phone number or BSUID can be found, or when a phone number is given but malformed (guessing
 * then could file a message under the wrong customer).
 */
export function userRef(rawWaId: unknown, rawBsuids: readonly unknown[], contacts: readonly UserRef[]): UserRef | null {
  const waId = waIdOf(rawWaId);
  if (waId === null && !withheld(rawWaId)) return null;
  const bsuid = rawBsuids.map(bsuidOf).find((id) => id !== null) ?? null;
  let contact = contacts.find((c) => (waId !== null && c.waId === waId) || (bsuid !== null && c.bsuid === bsuid));
  if (contact === undefined && waId === null && bsuid === null && contacts.length === 1) contact = contacts[0];
  const ref: UserRef = {
    waId: waId ?? contact?.waId ?? null,
    bsuid: bsuid ?? contact?.bsuid ?? null,
    username: contact?.username ?? null,
    profileName: contact?.profileName ?? null,
  };
  return ref.waId === null && ref.bsuid === null ? null : ref;
}

export const NO_SENDER = 'names no sender: neither a phone number (6 to 20 digits) nor a business-scoped user id';
export const NO_RECIPIENT = 'names no recipient: neither a phone number (6 to 20 digits) nor a business-scoped user id';
