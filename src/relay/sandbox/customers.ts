// The simulated customers: who they are (phone number, BSUID or both), what they type, and when they answer back.
import { z } from 'zod';
import { Bsuid, WaId } from '../../shared/domain';
import { parseRow } from '../../node-shared/stored-row';
import type { SandboxDatabase } from './sandbox-db';

export const CUSTOMER_REPLY_TEXT = "Thanks, I'll check and get back to you.";

/** A customer answers a question (a text with "?") and stays quiet otherwise; deterministic so tests can match it. */
export function customerReplyTo(text: string): string | null {
  return text.includes('?') ? CUSTOMER_REPLY_TEXT : null;
}

export function defaultProfileName(address: string): string {
  return `Customer ${address.slice(-4)}`;
}

/**
 * A WhatsApp user as the sandbox plays them. Since 2026 a user who took a username may reach a business by BSUID
 * alone: their webhooks then carry no phone number at all.
 */
export interface SandboxPerson {
  readonly waId: string | null;
  readonly bsuid: string | null;
  readonly username: string | null;
  readonly name: string;
}

export const isPhoneNumber = (value: string): boolean => WaId.safeParse(value).success;
export const isBsuid = (value: string): boolean => Bsuid.safeParse(value).success;

const IdentityRow = z.object({ wa_id: z.string().nullable(), bsuid: z.string().nullable(), username: z.string().nullable(), name: z.string() });

export interface CustomerDirectory {
  /** Keeps who they are, under each id they can be sent to. */
  remember(person: SandboxPerson): void;
  /** The person a send to `address` (phone number or BSUID) reaches: as remembered, or a stranger with a default name. */
  person(address: string): SandboxPerson;
  /** A customer wrote in this group: the business number takes part in it. */
  rememberGroup(groupId: string, now: number): void;
  knowsGroup(groupId: string): boolean;
}

export function createCustomerDirectory(db: SandboxDatabase): CustomerDirectory {
  const upsert = db.prepare(
    `INSERT INTO identities (address, wa_id, bsuid, username, name) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (address) DO UPDATE SET wa_id = excluded.wa_id, bsuid = excluded.bsuid, username = excluded.username, name = excluded.name`,
  );
  const select = db.prepare<[string]>('SELECT wa_id, bsuid, username, name FROM identities WHERE address = ?');
  const insertGroup = db.prepare('INSERT OR IGNORE INTO groups (id, created_at) VALUES (?, ?)');
  const selectGroup = db.prepare<[string]>('SELECT 1 FROM groups WHERE id = ?');
  return {
    rememberGroup(groupId, now) {
      insertGroup.run(groupId, now);
    },
    knowsGroup: (groupId) => selectGroup.get(groupId) !== undefined,
    remember(person) {
      for (const address of [person.waId, person.bsuid]) {
        if (address !== null) upsert.run(address, person.waId, person.bsuid, person.username, person.name);
      }
    },
    person(address) {
      const row = select.get(address);
      if (row === undefined) {
        return { waId: isPhoneNumber(address) ? address : null, bsuid: isBsuid(address) ? address : null, username: null, name: defaultProfileName(address) };
      }
      const known = parseRow('identities', IdentityRow, row);
      return { waId: known.wa_id, bsuid: known.bsuid, username: known.username, name: known.name };
    },
  };
}
