// Customers as WhatsApp names them since 2026: a phone number, a BSUID or both. Finds the one record a delivery is
// about, links ids that turn out to be one person, follows number and BSUID changes, and keeps marketing opt-outs.
import { Bsuid, WaId } from '../../../shared/domain';
import { uuidv7 } from '../../../shared/uuidv7';
import type { SqlDatabase } from '../sql/sql-database';
import { mergeConversation } from './conversation-merge';
import type { ConversationRecords } from './conversations';
import type { EventLogRecords } from './event-log';
import { parseRowIfAny } from '../../../node-shared/stored-row';
import { CustomerRow } from './rows';

/** The ids a delivery gives for one person, and the names it shows (already neutralised by the parser). */
export interface PersonRef {
  readonly waId: string | null;
  readonly bsuid: string | null;
  readonly username?: string | null;
  readonly profileName?: string | null;
}

export type IdentityChange = 'number_changed' | 'user_id_changed';

const MAX_USERNAME = 100;
const MAX_NAME = 256;

/** Only ids the shared model accepts are stored: a row must always turn into a valid Customer. */
const validWaId = (value: string | null): string | null => (value !== null && WaId.safeParse(value).success ? value : null);
const validBsuid = (value: string | null): string | null => (value !== null && Bsuid.safeParse(value).success ? value : null);
const cut = (value: string | null | undefined, max: number): string | null => (value === undefined || value === null ? null : value.slice(0, max));

export class CustomerRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly conversations: ConversationRecords,
    private readonly events: EventLogRecords,
  ) {}

  async byWaId(waId: string | null): Promise<CustomerRow | undefined> {
    return waId === null ? undefined : parseRowIfAny('customers', CustomerRow, await this.db.get('SELECT * FROM customers WHERE wa_id = ?', [waId]));
  }

  async byBsuid(bsuid: string | null): Promise<CustomerRow | undefined> {
    return bsuid === null ? undefined : parseRowIfAny('customers', CustomerRow, await this.db.get('SELECT * FROM customers WHERE bsuid = ?', [bsuid]));
  }

  private async existing(id: string): Promise<CustomerRow> {
    const row = parseRowIfAny('customers', CustomerRow, await this.db.get('SELECT * FROM customers WHERE id = ?', [id]));
    if (row === undefined) throw new Error(`customer ${id} vanished inside its own transaction`);
    return row;
  }

  /**
   * The customer a delivery is about, created or completed from it; null when it names no valid id. Every customer
   * whose record (and so whose conversations' `customer`) changed is added to `changed`.
   */
  async resolve(ref: PersonRef, now: number, changed: Set<string>): Promise<string | null> {
    const waId = validWaId(ref.waId);
    const bsuid = validBsuid(ref.bsuid);
    if (waId === null && bsuid === null) return null;
    let byWa = await this.byWaId(waId);
    const byBs = await this.byBsuid(bsuid);
    if (byWa !== undefined && bsuid !== null && byWa.bsuid !== null && byWa.bsuid !== bsuid) {
      // A new BSUID comes with a new number, never with an old one: this number now belongs to someone else. It
      // moves to the person writing; the earlier customer keeps their BSUID and history, never shown to the new one.
      await this.db.run('UPDATE customers SET wa_id = NULL, updated_at = ? WHERE id = ?', [now, byWa.id]);
      changed.add(byWa.id);
      byWa = undefined;
    }
    let target = byWa ?? byBs;
    if (byWa !== undefined && byBs !== undefined && byWa.id !== byBs.id) {
      // Known separately so far (say, an agent wrote to the number while the customer wrote by BSUID): one person,
      // filed under the older record.
      target = byWa.created_at <= byBs.created_at ? await this.merge(byWa, byBs, now, changed) : await this.merge(byBs, byWa, now, changed);
    }
    if (target === undefined) {
      const id = uuidv7();
      await this.db.run('INSERT INTO customers (id, wa_id, bsuid, username, profile_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id,
        waId,
        bsuid,
        cut(ref.username, MAX_USERNAME),
        cut(ref.profileName, MAX_NAME),
        now,
        now,
      ]);
      changed.add(id);
      return id;
    }
    await this.update(target, { waId: waId ?? target.wa_id, bsuid: bsuid ?? target.bsuid, username: ref.username, profileName: ref.profileName }, now, changed);
    return target.id;
  }

  /**
   * WhatsApp told us a person's number or BSUID changed (`previous` → `next`). Their record follows, so the history
   * stays in one conversation; a record the new identity already had is merged into it. Returns the customer, or null
   * when no id on either side is valid.
   */
  async relink(kind: IdentityChange, previous: PersonRef, next: PersonRef, now: number, changed: Set<string>): Promise<string | null> {
    const nextWaId = validWaId(next.waId);
    const nextBsuid = validBsuid(next.bsuid);
    const oldWaId = validWaId(previous.waId);
    const oldBsuid = validBsuid(previous.bsuid);
    const old =
      (oldWaId !== nextWaId ? await this.byWaId(oldWaId) : undefined) ??
      (oldBsuid !== nextBsuid ? await this.byBsuid(oldBsuid) : undefined) ??
      // A BSUID change names the person by number (if at all) on both sides.
      (kind === 'user_id_changed' ? await this.byWaId(nextWaId) : undefined);
    if (old === undefined) {
      const known = nextWaId !== null || nextBsuid !== null ? next : previous;
      return this.resolve(
        { ...known, username: next.username ?? previous.username ?? null, profileName: next.profileName ?? previous.profileName ?? null },
        now,
        changed,
      );
    }
    let kept = old;
    for (const other of [await this.byWaId(nextWaId), await this.byBsuid(nextBsuid)]) {
      if (other !== undefined && other.id !== kept.id) kept = await this.merge(kept, other, now, changed);
    }
    // A new number comes with a new BSUID: the old one is void even when the notice does not name the new one.
    const waId = nextWaId ?? kept.wa_id;
    const bsuid = nextBsuid ?? (kind === 'number_changed' && waId !== null ? null : kept.bsuid);
    await this.update(kept, { waId, bsuid, username: next.username ?? previous.username, profileName: next.profileName ?? previous.profileName }, now, changed);
    return kept.id;
  }

  /**
   * A marketing opt-out (`stop`) or its end (`resume`); an older notice arriving late never undoes a newer one.
   * Returns whether it was recorded (false for a repeat, or a user with no valid id).
   */
  async recordMarketingPreference(ref: PersonRef, value: 'stop' | 'resume', at: number, now: number, changed: Set<string>): Promise<boolean> {
    const id = await this.resolve(ref, now, changed);
    if (id === null) return false;
    // At the same moment, only a different value is news: `IS NOT ?` spelled out, since only NULL may follow IS.
    const stop = value === 'stop';
    const differs = stop ? '(marketing_opt_out_at IS NULL OR marketing_opt_out_at <> ?)' : 'marketing_opt_out_at IS NOT NULL';
    const { changes } = await this.db.run(
      `UPDATE customers SET marketing_opt_out_at = ?, marketing_changed_at = ?, updated_at = ?
       WHERE id = ? AND (marketing_changed_at IS NULL OR marketing_changed_at < ? OR (marketing_changed_at = ? AND ${differs}))`,
      [stop ? at : null, at, now, id, at, at, ...(stop ? [at] : [])],
    );
    return changes > 0;
  }

  /** Writes the record's ids and names (a name not given keeps the stored one). */
  private async update(
    row: CustomerRow,
    next: { waId: string | null; bsuid: string | null } & Pick<PersonRef, 'username' | 'profileName'>,
    now: number,
    changed: Set<string>,
  ): Promise<void> {
    const username = cut(next.username, MAX_USERNAME) ?? row.username;
    const profileName = cut(next.profileName, MAX_NAME) ?? row.profile_name;
    // Never both ids gone: the CHECK would refuse it, and the customer could not be reached. (Callers have merged
    // every other record holding the new ids, so the uniqueness checks hold.)
    const keepOld = next.waId === null && next.bsuid === null;
    const waId = keepOld ? row.wa_id : next.waId;
    const bsuid = keepOld ? row.bsuid : next.bsuid;
    if (waId === row.wa_id && bsuid === row.bsuid && username === row.username && profileName === row.profile_name) return;
    await this.db.run('UPDATE customers SET wa_id = ?, bsuid = ?, username = ?, profile_name = ?, updated_at = ? WHERE id = ?', [
      waId,
      bsuid,
      username,
      profileName,
      now,
      row.id,
    ]);
    changed.add(row.id);
  }

  /**
   * `drop` is the same person as `keep`: its conversations join keep's on the same business number (or become
   * keep's), its ids and names fill keep's gaps, and its record goes. Returns keep as it now stands.
   */
  private async merge(keep: CustomerRow, drop: CustomerRow, now: number, changed: Set<string>): Promise<CustomerRow> {
    for (const conversationId of await this.conversations.idsOfCustomer(drop.id)) {
      const numberId = (await this.conversations.existing(conversationId)).phone_number_id;
      const kept = await this.conversations.find(numberId, { customerId: keep.id });
      if (kept === undefined) await this.db.run('UPDATE conversations SET customer_id = ?, updated_at = ? WHERE id = ?', [keep.id, now, conversationId]);
      else await mergeConversation(this.db, this.conversations, this.events, kept.id, conversationId, now);
    }
    const dropDecidedLater =
      drop.marketing_changed_at !== null && (keep.marketing_changed_at === null || drop.marketing_changed_at > keep.marketing_changed_at);
    await this.db.run('DELETE FROM customers WHERE id = ?', [drop.id]);
    await this.db.run(
      `UPDATE customers SET wa_id = coalesce(wa_id, ?), bsuid = coalesce(bsuid, ?), username = coalesce(username, ?),
       profile_name = coalesce(profile_name, ?), marketing_opt_out_at = ?, marketing_changed_at = ?, updated_at = ? WHERE id = ?`,
      [
        drop.wa_id,
        drop.bsuid,
        drop.username,
        drop.profile_name,
        dropDecidedLater ? drop.marketing_opt_out_at : keep.marketing_opt_out_at,
        dropDecidedLater ? drop.marketing_changed_at : keep.marketing_changed_at,
        now,
        keep.id,
      ],
    );
    changed.add(keep.id);
    return this.existing(keep.id);
  }
}
