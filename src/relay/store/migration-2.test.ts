// Schema 2 over a database schema 1 wrote, with rows in it: every customer, message, queued send and event survives,
// and the relay goes on with the same conversations (no duplicate when the customer writes again).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayEvent } from '../../shared/protocol-events';
import { uuidv7 } from '../../shared/uuidv7';
import { openSqliteRelayStore, RELAY_MIGRATIONS, type RelayDatabase } from './relay-db';
import type { SqlRelayStore } from './sql-relay-store';

const OUR_NUMBER = '106540352242922';
const DANA = '972541234567';
const BEN = '972541234568';
const T0 = Date.UTC(2026, 3, 1, 9);
const HOUR = 3_600_000;

let opened: { store: SqlRelayStore } | null = null;
afterEach(async () => {
  await opened?.store.close();
  opened = null;
});

/** A relay data folder exactly as schema 1 left it: two customers, their messages, a queued send, a status, events. */
function schema1Folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-mig2-'));
  const db = new Database(path.join(dir, 'relay.db'));
  RELAY_MIGRATIONS[0]!.up(db);
  db.pragma('user_version = 1');
  db.prepare('INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run('ana', 'Ana Cohen', 'hash-of-ana', T0);
  const conversation = db.prepare(
    `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  conversation.run('conv-dana', DANA, 'Dana Levi', 'ana', T0 + HOUR, 'CASE-7', T0, T0 + 2 * HOUR, T0, T0 + 2 * HOUR);
  conversation.run('conv-ben', BEN, null, null, T0, null, null, T0, T0, T0);
  const message = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, wamid, content, status, failure, reply_to_id, sender_agent_id, request_hash, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
  );
  message.run(
    'm-1',
    'conv-dana',
    'in',
    'wamid.D1',
    JSON.stringify({ type: 'text', body: 'I need my March statement' }),
    'delivered',
    null,
    null,
    null,
    T0 + HOUR,
    T0 + HOUR,
  );
  message.run(
    'm-2',
    'conv-dana',
    'out',
    null,
    JSON.stringify({ type: 'text', body: 'On its way' }),
    'pending',
    'm-1',
    'ana',
    'h2',
    T0 + 2 * HOUR,
    T0 + 2 * HOUR,
  );
  message.run('m-3', 'conv-ben', 'in', 'wamid.B1', JSON.stringify({ type: 'text', body: 'Hello' }), 'delivered', null, null, null, T0, T0);
  db.prepare('INSERT INTO outbound_jobs (message_id, conversation_id, queued_seq, next_attempt_at) VALUES (?, ?, ?, ?)').run('m-2', 'conv-dana', 3, T0);
  db.prepare('INSERT INTO orphan_statuses (wamid, status, failure, biz_opaque, at) VALUES (?, ?, NULL, NULL, ?)').run('wamid.OUT9', 'delivered', T0);
  const event = db.prepare('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)');
  const v1Conversation = { id: 'conv-dana', customer: { waId: DANA, name: 'Dana Levi' }, assignedAgentId: 'ana', lastInboundAt: T0 + HOUR };
  event.run(
    'conversation.upserted',
    JSON.stringify({
      kind: 'conversation.upserted',
      conversation: { ...v1Conversation, caseId: null, readUpTo: null, lastMessageAt: T0, createdAt: T0, updatedAt: T0 },
    }),
    T0,
  );
  db.close();
  return dir;
}

function open(dir: string, phoneNumberId?: string): { store: SqlRelayStore; db: RelayDatabase } {
  const { store, raw: db } = openSqliteRelayStore(dir, phoneNumberId === undefined ? {} : { phoneNumberId });
  opened = { store };
  return { store, db };
}

describe('relay schema 2 over a schema-1 database', () => {
  it('keeps every conversation as it was, with its customer, assignment, case link, window and read pointer', async () => {
    const { store } = open(schema1Folder(), OUR_NUMBER);
    const listed = await store.listConversations(undefined, 10);
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.total).toBe(2);
    expect(listed.value.items).toEqual([
      {
        id: 'conv-dana',
        customer: { waId: DANA, name: 'Dana Levi' },
        assignedAgentId: 'ana',
        // Schema 3 names the assignee and the team (main, where everything from before teams lands).
        assignedAgent: { id: 'ana', name: 'Ana Cohen' },
        team: { id: 'main', name: 'Main' },
        lastInboundAt: T0 + HOUR,
        caseId: 'CASE-7',
        readUpTo: T0,
        lastMessageAt: T0 + 2 * HOUR,
        createdAt: T0,
        updatedAt: T0 + 2 * HOUR,
      },
      expect.objectContaining({ id: 'conv-ben', customer: { waId: BEN, name: null } }),
    ]);
    // The event log is untouched: v1 events still parse as v2 ones.
    const events = await store.readEvents(0, 10);
    expect(events.map((e) => RelayEvent.safeParse(JSON.parse(e.json)).success)).toEqual([true]);
  });

  it('keeps every message and queued send: the queue still knows whom to send to', async () => {
    const { store } = open(schema1Folder(), OUR_NUMBER);
    const page = await store.history('conv-dana', undefined, 10);
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.items.map((m) => [m.id, m.direction, m.content.type, m.replyToId])).toEqual([
      ['m-2', 'out', 'text', 'm-1'],
      ['m-1', 'in', 'text', null],
    ]);
    const [job] = await store.dueJobs(T0 + 3 * HOUR, 10);
    expect(job).toMatchObject({ messageId: 'm-2', conversationId: 'conv-dana', to: { kind: 'phone', waId: DANA }, replyToWamid: 'wamid.D1' });
    // A status that was waiting for its send's answer is still applied when the answer comes.
    await store.completeSend('m-2', 'wamid.OUT9', T0 + 3 * HOUR);
    const after = await store.history('conv-dana', undefined, 10);
    expect(after.ok && after.value.items[0]!.status).toBe('delivered');
  });

  it('files the customer’s next message, and an agent’s next send, in the same conversation', async () => {
    const { store } = open(schema1Folder(), OUR_NUMBER);
    await store.recordWebhook(
      {
        messages: [
          {
            wamid: 'wamid.D2',
            from: { waId: DANA, bsuid: 'IL.52310298734', username: 'danalevi', profileName: 'Dana Levi' },
            timestamp: T0 + 5 * HOUR,
            content: { type: 'text', body: 'Thanks!' },
            contextWamid: null,
            phoneNumberId: OUR_NUMBER,
            groupId: null,
          },
        ],
        revisions: [],
        statuses: [],
        accountEvents: [],
        errors: [],
        skipped: [],
      },
      T0 + 5 * HOUR,
    );
    const sent = await store.acceptSend({
      agentId: 'ana',
      params: {
        clientMessageId: uuidv7(),
        waId: BEN,
        content: { type: 'template', name: 'branch_follow_up', language: 'en_US', parameters: ['Ben', 'Herzl'] },
      },
      requestHash: 'h',
      now: T0 + 5 * HOUR,
      phoneNumberId: OUR_NUMBER,
      phoneNumberOnly: false,
    });
    expect(sent.ok && sent.value.conversationId).toBe('conv-ben');
    const listed = await store.listConversations(undefined, 10);
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.total).toBe(2);
    expect(listed.value.items.find((c) => c.id === 'conv-dana')?.customer).toEqual({
      waId: DANA,
      bsuid: 'IL.52310298734',
      username: 'danalevi',
      name: 'Dana Levi',
    });
  });

  it('enforces foreign keys again afterwards, with nothing orphaned', () => {
    const { db } = open(schema1Folder());
    expect(db.pragma('user_version', { simple: true })).toBe(RELAY_MIGRATIONS.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(() => db.prepare("UPDATE messages SET conversation_id = 'nowhere' WHERE id = 'm-1'").run()).toThrow(/FOREIGN KEY/);
  });

  it('gives old conversations the business number when the relay first starts with it, and only those', async () => {
    const dir = schema1Folder();
    const first = open(dir); // e.g. `agents add` before the relay ever served
    const numbers = () => first.db.prepare('SELECT DISTINCT phone_number_id AS n FROM conversations').all();
    expect(numbers()).toEqual([{ n: '' }]);
    await first.store.close();
    opened = null;
    const second = open(dir, OUR_NUMBER);
    expect(second.db.prepare('SELECT DISTINCT phone_number_id AS n FROM conversations').all()).toEqual([{ n: OUR_NUMBER }]);
  });
});
