// The record of every send the fake Graph API accepted, in arrival order: what "WhatsApp" received.
import type { SandboxDatabase } from './sandbox-db';
import type { ValidSend } from './send-request';

export interface LedgerEntry {
  readonly wamid: string;
  readonly to: string;
  readonly type: 'text' | 'template' | 'image' | 'document';
  readonly text?: string;
  readonly template?: { readonly name: string; readonly language: string; readonly parameters: readonly string[] };
  readonly mediaId?: string;
  readonly caption?: string;
  readonly fileName?: string;
  readonly replyToWamid?: string;
  readonly bizOpaque: string | null;
  /** Wall time the Graph API accepted it, in milliseconds since the epoch. */
  readonly acceptedAt: number;
}

export interface ReadReceipt {
  readonly wamid: string;
  readonly markedAt: number;
}

export function ledgerEntryFor(send: ValidSend, wamid: string, acceptedAt: number): LedgerEntry {
  const { content } = send;
  const common = {
    wamid,
    to: send.to,
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
  /** Every accepted send to one recipient, oldest first, duplicates included. */
  sentTo(to: string): LedgerEntry[];
  markRead(wamid: string, markedAt: number): void;
  readReceipts(): ReadReceipt[];
}

export function createLedger(db: SandboxDatabase): Ledger {
  const insert = db.prepare('INSERT INTO ledger (wamid, to_wa_id, entry, accepted_at) VALUES (?, ?, ?, ?)');
  const byRecipient = db.prepare<[string], { entry: string }>('SELECT entry FROM ledger WHERE to_wa_id = ? ORDER BY seq');
  const insertRead = db.prepare('INSERT INTO read_receipts (wamid, marked_at) VALUES (?, ?)');
  const reads = db.prepare<[], { wamid: string; marked_at: number }>('SELECT wamid, marked_at FROM read_receipts ORDER BY seq');
  return {
    append(entry) {
      insert.run(entry.wamid, entry.to, JSON.stringify(entry), entry.acceptedAt);
    },
    sentTo(to) {
      return byRecipient.all(to).map((row) => JSON.parse(row.entry) as LedgerEntry);
    },
    markRead(wamid, markedAt) {
      insertRead.run(wamid, markedAt);
    },
    readReceipts() {
      return reads.all().map((row) => ({ wamid: row.wamid, markedAt: row.marked_at }));
    },
  };
}
