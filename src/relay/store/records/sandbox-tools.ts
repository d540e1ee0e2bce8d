// What the sandbox may do to the relay's data that WhatsApp never would: age a conversation past its 24-hour window.
import type { Conversation } from '../../../shared/domain';
import { fail, ok, type Result } from '../../../shared/errors';
import type { SqlDatabase } from '../sql/sql-database';
import type { ConversationRecords } from './conversations';
import { parseRowIfAny } from '../../../node-shared/stored-row';
import { IdRow } from './rows';

const HOUR_MS = 3_600_000;

/**
 * The customer's last message now dates from `hours` ago (never later than it was): with 25 the window is closed and
 * only a template can be sent. Devices hear the conversation as it now stands.
 */
export async function ageConversation(
  db: SqlDatabase,
  conversations: ConversationRecords,
  id: string,
  hours: number,
  now: number,
): Promise<Result<Conversation>> {
  return db.transaction(async (): Promise<Result<Conversation>> => {
    const row = await conversations.byId(id);
    if (row === undefined) return fail('not_found', 'conversation not found');
    if (row.last_inbound_at === null) return fail('invalid_input', 'the customer has not written in this conversation: there is no window to age');
    const at = Math.min(row.last_inbound_at, now - Math.round(hours * HOUR_MS));
    await db.run('UPDATE conversations SET last_inbound_at = ?, updated_at = ? WHERE id = ?', [at, now, id]);
    return ok(await conversations.emit(id, now));
  });
}

/** The conversation between our number and the customer with this phone number or BSUID (not a group's), if any. */
export async function conversationWith(db: SqlDatabase, phoneNumberId: string, address: string): Promise<string | null> {
  const row = await db.get(
    `SELECT c.id FROM conversations c JOIN customers cu ON cu.id = c.customer_id
     WHERE c.phone_number_id = ? AND (cu.wa_id = ? OR cu.bsuid = ?)`,
    [phoneNumberId, address, address],
  );
  return parseRowIfAny('conversations', IdRow, row)?.id ?? null;
}
