// Stored rows are parsed, not cast: a damaged row is an error that names its table and column, never a wrong value.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWebhook } from '../../domain/parse-webhook';
import { openSqliteRelayStore, type RelayDatabase } from '../relay-db';
import type { SqlRelayStore } from '../sql-relay-store';
import { StoredRowError } from '../../../node-shared/stored-row';

const T0 = Date.UTC(2026, 10, 24, 9);
let db: RelayDatabase | null = null;
let store: SqlRelayStore | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
  db = null;
});

/** A store with one inbound text message from a customer, and the raw database beneath it. */
async function storeWithOneMessage(): Promise<{ store: SqlRelayStore; db: RelayDatabase; conversationId: string }> {
  ({ store, raw: db } = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-rows-'))));
  const batch = {
    messages: [
      {
        wamid: 'wamid.ROW1',
        from: { waId: '972541234567', bsuid: null, username: null, profileName: 'Dana' },
        timestamp: T0,
        content: { type: 'text' as const, body: 'hello' },
        contextWamid: null,
        phoneNumberId: '106540352242922',
        groupId: null,
      },
    ],
    revisions: [],
    statuses: [],
    accountEvents: [],
    errors: [],
    skipped: [],
  };
  await store.recordWebhook(batch, T0);
  const listed = await store.listConversations(undefined, 10);
  if (!listed.ok) throw new Error('no conversation');
  return { store, db, conversationId: listed.value.items[0]!.id };
}

describe('reading stored rows', () => {
  it('looks conversations up by id as they are now, leaving out ids it does not hold (v1 sessions use this)', async () => {
    const t = await storeWithOneMessage();
    await t.store.linkCase(t.conversationId, 'CASE-7', T0 + 1);
    expect((await t.store.conversationsById([t.conversationId, 'no-such-conversation'])).map((c) => [c.id, c.caseId])).toEqual([[t.conversationId, 'CASE-7']]);
    expect(await t.store.conversationsById([])).toEqual([]);
  });

  it('reads back what it wrote', async () => {
    const t = await storeWithOneMessage();
    const page = await t.store.history(t.conversationId, undefined, 10);
    expect(page.ok && page.value.items.map((m) => m.content)).toEqual([{ type: 'text', body: 'hello' }]);
  });

  it.each([
    ['content that is not JSON', "UPDATE messages SET content = '{oops'", 'messages', 'content'],
    ['content of an unknown type', `UPDATE messages SET content = '{"type":"hologram"}'`, 'messages', 'content'],
    ['a status no relay writes', "UPDATE messages SET status = 'teleported'", 'messages', 'status'],
    ['a failure that is not a SendFailure', `UPDATE messages SET failure = '{"code":42}'`, 'messages', 'failure'],
  ])('refuses %s, naming the table and column', async (_what, sql, table, column) => {
    const t = await storeWithOneMessage();
    t.db.exec(sql);
    const read = t.store.history(t.conversationId, undefined, 10);
    await expect(read).rejects.toBeInstanceOf(StoredRowError);
    await expect(read).rejects.toMatchObject({ table, column });
    await expect(read).rejects.toThrow(`in ${table}: column ${column}`);
  });

  it('refuses a conversation row with a text where a time belongs', async () => {
    const t = await storeWithOneMessage();
    // STRICT tables refuse this on write, so the damage has to come from outside: a file edited by hand.
    t.db.pragma('foreign_keys = OFF');
    t.db.exec('CREATE TABLE c2 AS SELECT * FROM conversations');
    t.db.exec('DROP TABLE conversations');
    t.db.exec(
      `CREATE TABLE conversations AS SELECT id, phone_number_id, customer_id, group_id, group_subject, assigned_agent_id, 'soon' AS last_inbound_at,
       case_id, read_up_to, last_message_at, created_at, updated_at, team_id FROM c2`,
    );
    await expect(t.store.listConversations(undefined, 10)).rejects.toMatchObject({ table: 'conversations', column: 'last_inbound_at' });
  });

  it('reads back inbound media whose file name and caption are longer than a console accepts, cut to fit with a visible mark', async () => {
    ({ store, raw: db } = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-rows-'))));
    const message = {
      id: 'wamid.LONG1',
      from: '972541234567',
      timestamp: String(T0 / 1000),
      type: 'document',
      document: { id: '1234567890', mime_type: 'application/pdf', filename: `${'n'.repeat(300)}.pdf`, caption: 'c'.repeat(70_000) },
    };
    const delivery = {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '106540352242922' }, messages: [message] } }] }],
    };
    const batch = parseWebhook(delivery, { now: T0 });
    if (!batch.ok) throw new Error(batch.error.message);
    await store.recordWebhook(batch.value, T0);
    const listed = await store.listConversations(undefined, 10);
    const page = listed.ok ? await store.history(listed.value.items[0]!.id, undefined, 10) : listed;
    if (!page.ok) throw new Error(page.error.message);
    const content = page.value.items[0]!.content;
    expect(content.type === 'document' && [content.fileName?.length, content.caption?.length]).toEqual([255, 65_536]);
    expect(content.type === 'document' && [content.fileName?.endsWith('n…'), content.caption?.endsWith('c…')]).toEqual([true, true]);
  });
});
