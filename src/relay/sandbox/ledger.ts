// The record of every send the fake Graph API accepted, in arrival order: what "WhatsApp" received.
import { z } from 'zod';
import { jsonColumn, parseRows } from '../../node-shared/stored-row';
import type { SandboxDatabase } from './sandbox-db';
import type { ValidSend } from './send-request';

/** One accepted send, as stored in the ledger's `entry` column and served by GET /sandbox/outbound. */
export const LedgerEntry = z.object({
  wamid: z.string(),
  /** Our number it left from (phone_number_id); absent in entries written before the sandbox served several. */
  from: z.string().optional(),
  /** The phone number, BSUID or group id it was sent to. */
  to: z.string(),
  /** Omitted for a phone number (as before BSUIDs). */
  toKind: z.enum(['bsuid', 'group']).optional(),
  type: z.enum(['text', 'template', 'image', 'document']),
  text: z.string().optional(),
  template: z
    .object({ name: z.string(), language: z.string(), parameters: z.array(z.string()).readonly() })
    .readonly()
    .optional(),
  mediaId: z.string().optional(),
  caption: z.string().optional(),
  fileName: z.string().optional(),
  replyToWamid: z.string().optional(),
  bizOpaque: z.string().nullable(),
  /** Wall time the Graph API accepted it, in milliseconds since the epoch. */
  acceptedAt: z.number(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;
const LedgerRow = z.object({ entry: jsonColumn(LedgerEntry) });
const ReadReceiptRow = z.object({ wamid: z.string(), marked_at: z.number() });

export interface ReadReceipt {
  readonly wamid: string;
  readonly markedAt: number;
}

export function ledgerEntryFor(send: ValidSend, wamid: string, acceptedAt: number, from: string): LedgerEntry {
  const { content } = send;
  const common = {
    wamid,
    from,
    to: send.to,
    ...(send.toKind !== 'phone' && { toKind: send.toKind }),
    type: content.type,
    bizOpaque: send.bizOpaque,
    acceptedAt,
    ...(send.replyToWamid === null ? {} : { replyToWamid: send.replyToWamid }),
  };
  switch (content.type) {
    case 'text':
      return { ...common, text: content.body };
    case 'template':
      return { ...common, template: { name: content.name, language: content.language, parameters: [...content.parameters] } };
    case 'image':
      return { ...common, mediaId: content.mediaId, ...(content.caption === undefined ? {} : { caption: content.caption }) };
    case 'document':
      return {
        ...common,
        mediaId: content.mediaId,
        ...(content.caption === undefined ? {} : { caption: content.caption }),
        ...(content.fileName === undefined ? {} : { fileName: content.fileName }),
      };
  }
}

export interface Ledger {
  append(entry: LedgerEntry): void;
  /** Every accepted send to one recipient (phone number, BSUID or group id), oldest first, duplicates included. */
  sentTo(to: string): LedgerEntry[];
  markRead(wamid: string, markedAt: number): void;
  readReceipts(): ReadReceipt[];
}

export function createLedger(db: SandboxDatabase): Ledger {
  const insert = db.prepare('INSERT INTO ledger (wamid, to_address, entry, accepted_at) VALUES (?, ?, ?, ?)');
  const byRecipient = db.prepare<[string]>('SELECT entry FROM ledger WHERE to_address = ? ORDER BY seq');
  const insertRead = db.prepare('INSERT INTO read_receipts (wamid, marked_at) VALUES (?, ?)');
  const reads = db.prepare('SELECT wamid, marked_at FROM read_receipts ORDER BY seq');
  return {
    append(entry) {
      insert.run(entry.wamid, entry.to, JSON.stringify(entry), entry.acceptedAt);
    },
    sentTo(to) {
      return parseRows('ledger', LedgerRow, byRecipient.all(to)).map((row) => row.entry);
    },
    markRead(wamid, markedAt) {
      insertRead.run(wamid, markedAt);
    },
    readReceipts() {
      return parseRows('read_receipts', ReadReceiptRow, reads.all()).map((row) => ({ wamid: row.wamid, markedAt: row.marked_at }));
    },
  };
}
