// The simulated customers: who they are, what they type, and when they answer back.
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/errors';
import { parseRow } from '../../node-shared/stored-row';
import type { SandboxDatabase } from './sandbox-db';

export const CUSTOMER_REPLY_TEXT = "Thanks, I'll check and get back to you.";

/** A customer answers a question (a text with "?") and stays quiet otherwise; deterministic so tests can match it. */
export function customerReplyTo(text: string): string | null {
  return text.includes('?') ? CUSTOMER_REPLY_TEXT : null;
}

export function defaultProfileName(waId: string): string {
  return `Customer ${waId.slice(-4)}`;
}

export interface InboundInput {
  readonly from: string;
  readonly name: string;
  readonly text: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates POST /sandbox/inbound (and injectInbound); messages name the field, never echo its value. */
export function checkInboundInput(input: unknown): Result<InboundInput> {
  if (!isObject(input)) return fail('invalid_input', 'expected a JSON object {from, name, text}');
  const { from, name, text } = input;
  if (typeof from !== 'string' || !/^\d{6,20}$/.test(from)) return fail('invalid_input', '"from" must be a WhatsApp id of 6 to 20 digits');
  if (typeof name !== 'string' || name.length < 1 || name.length > 256) return fail('invalid_input', '"name" must be 1 to 256 characters');
  if (typeof text !== 'string' || text.length < 1 || text.length > 4096) return fail('invalid_input', '"text" must be 1 to 4096 characters');
  return ok({ from, name, text });
}

const CustomerRow = z.object({ name: z.string() });

export interface CustomerDirectory {
  remember(waId: string, name: string): void;
  /** The profile name WhatsApp would report for this customer. */
  profileName(waId: string): string;
}

export function createCustomerDirectory(db: SandboxDatabase): CustomerDirectory {
  const upsert = db.prepare('INSERT INTO customers (wa_id, name) VALUES (?, ?) ON CONFLICT (wa_id) DO UPDATE SET name = excluded.name');
  const select = db.prepare<[string]>('SELECT name FROM customers WHERE wa_id = ?');
  return {
    remember(waId, name) {
      upsert.run(waId, name);
    },
    profileName(waId) {
      const row = select.get(waId);
      return row === undefined ? defaultProfileName(waId) : parseRow('customers', CustomerRow, row).name;
    },
  };
}
