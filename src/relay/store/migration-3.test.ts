// Schema 3 over a database schemas 1–2 wrote, with rows in it: everything lands in team main and keeps working, events
// are read by audience through their index, and the audit trail cannot be edited or deleted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/uuidv7';
import { openSqliteRelayStore, RELAY_MIGRATIONS, type RelayDatabase } from './relay-db';
import type { SqlRelayStore } from './sql-relay-store';

const OUR_NUMBER = '106540352242922';
const NORTH_NUMBER = '106540352242999';
const DANA = '972541234567';
const T0 = Date.UTC(2026, 3, 1, 9);
const HOUR = 3_600_000;

let opened: SqlRelayStore | null = null;
afterEach(async () => {
  await opened?.close();
  opened = null;
});

/** A relay data folder as schema 2 left it: an agent with a device, a customer, a conversation assigned to her, a photo, events. */
function schema2Folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-mig3-'));
  const db = new Database(path.join(dir, 'relay.db'));
  db.pragma('foreign_keys = OFF');
  for (const migration of RELAY_MIGRATIONS.slice(0, 2)) migration.up(db);
  db.pragma('user_version = 2');
  db.prepare('INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run('ana', 'Ana Cohen', 'hash-ana', T0);
  db.prepare('INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at) VALUES (?, ?, ?, ?)').run('ana', 'laptop-1', 2, T0);
  db.prepare('INSERT INTO customers (id, wa_id, profile_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run('cu-dana', DANA, 'Dana Levi', T0, T0);
  db.prepare(
    `INSERT INTO conversations (id, phone_number_id, customer_id, assigned_agent_id, last_inbound_at, last_message_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run('conv-dana', OUR_NUMBER, 'cu-dana', 'ana', T0, T0, T0, T0);
  db.prepare(
    "INSERT INTO media (id, wa_media_id, origin, mime_type, state, created_at) VALUES ('media-1', 'wa-media-1', 'inbound', 'image/jpeg', 'ready', ?)",
  ).run(T0);
  const message = db.prepare(
    "INSERT INTO messages (id, conversation_id, direction, wamid, content, status, created_at, updated_at) VALUES (?, 'conv-dana', 'in', ?, ?, 'delivered', ?, ?)",
  );
  message.run('m-1', 'wamid.1', JSON.stringify({ type: 'text', body: 'Hello' }), T0, T0);
  message.run('m-2', 'wamid.2', JSON.stringify({ type: 'image', mediaId: 'media-1', mimeType: 'image/jpeg' }), T0 + 1, T0 + 1);
  const event = db.prepare('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)');
  for (const id of ['m-1', 'm-2']) event.run('message.created', JSON.stringify({ kind: 'message.created', id }), T0);
  db.close();
  return dir;
}

function open(dir: string): { store: SqlRelayStore; db: RelayDatabase } {
  const { store, raw: db } = openSqliteRelayStore(dir, { phoneNumberId: OUR_NUMBER });
  opened = store;
  return { store, db };
}

const plan = (db: RelayDatabase, sql: string, ...params: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('relay schema 3 over a schema-2 database', () => {
  it('puts what existed in team main: agents (role agent), conversations, events, and registers the configured number there', async () => {
    const { store, db } = open(schema2Folder());
    expect(db.pragma('user_version', { simple: true })).toBe(RELAY_MIGRATIONS.length); // schema 3, and every step since
    expect(await store.listTeams()).toEqual([{ id: 'main', name: 'Main', createdAt: expect.any(Number) }]);
    expect(await store.listNumbers()).toEqual([{ phoneNumberId: OUR_NUMBER, teamId: 'main', display: null, createdAt: expect.any(Number) }]);
    expect(await store.listAgents()).toMatchObject([{ id: 'ana', role: 'agent', teamIds: ['main'], accessVersion: 1, revokedAt: null }]);
    expect(await store.agentAccess('ana')).toMatchObject({ role: 'agent', teams: [{ id: 'main', name: 'Main' }] });
    const listed = await store.listConversations(undefined, 10, ['main']);
    expect(listed.ok && listed.value.items.map((c) => [c.id, c.team, c.assignedAgent])).toEqual([
      ['conv-dana', { id: 'main', name: 'Main' }, { id: 'ana', name: 'Ana Cohen' }],
    ]);
    expect((await store.readEventsFor(['main'], 0, 10)).events.map((e) => e.seq)).toEqual([1, 2]);
    // A device seen before schema 3 has no access version yet: its next hello counts as changed.
    expect(await store.deviceAccessVersion('ana', 'laptop-1')).toBeNull();
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('records the configured number being registered, once, and keeps a number some team already serves where it is', async () => {
    const dir = schema2Folder();
    const first = open(dir);
    await first.store.addTeam('north', 'North branch', T0);
    await first.store.close();
    opened = null;
    const again = open(dir);
    expect((await again.store.readAudit({ limit: 10 })).filter((e) => e.action === 'number.add')).toMatchObject([
      { subjectId: OUR_NUMBER, source: 'config', detail: { teamId: 'main' } },
    ]);
  });

  it('refuses to change or delete an audit entry', async () => {
    const { store, db } = open(schema2Folder());
    await store.appendAudit({ at: T0, action: 'session.sign_in', actorId: 'ana', source: '127.0.0.1' });
    expect(() => db.prepare("UPDATE audit SET actor_id = 'someone-else'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(await store.readAudit({ agentId: 'ana', limit: 10 })).toMatchObject([{ action: 'session.sign_in', actorId: 'ana', source: '127.0.0.1' }]);
  });

  it('files a new customer of a number registered in another team in that team, and tells only that team', async () => {
    const { store } = open(schema2Folder());
    await store.addTeam('north', 'North branch', T0);
    await store.addNumber({ phoneNumberId: NORTH_NUMBER, teamId: 'north', display: '+15550783882' }, T0);
    const before = await store.head();
    await store.recordWebhook(
      {
        messages: [
          {
            wamid: 'wamid.N1',
            from: { waId: '972541112223', bsuid: null, username: null, profileName: 'Noa' },
            timestamp: T0 + HOUR,
            content: { type: 'text', body: 'Hi north' },
            contextWamid: null,
            phoneNumberId: NORTH_NUMBER,
            groupId: null,
          },
        ],
        revisions: [],
        statuses: [],
        accountEvents: [],
        errors: [],
        skipped: [],
      },
      T0 + HOUR,
    );
    const north = await store.readEventsFor(['north'], before, 10);
    expect(north.events.map((e) => JSON.parse(e.json).kind)).toEqual(['message.created', 'conversation.upserted']);
    const main = await store.readEventsFor(['main'], before, 10);
    expect(main).toEqual({ events: [], throughSeq: await store.head() });
    const listed = await store.listConversations(undefined, 10, ['north']);
    expect(listed.ok && listed.value.items.map((c) => c.team)).toEqual([{ id: 'north', name: 'North branch' }]);
    expect(listed.ok && listed.value.total).toBe(1);
  });

  it('reads events by audience and media access through their indexes, never a scan of the whole table', () => {
    const { db } = open(schema2Folder());
    expect(plan(db, 'SELECT seq, payload, unless_team_id FROM events WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?', 'main', 0, 10)).toContain(
      'USING INDEX events_by_team',
    );
    const mediaQuery = `SELECT DISTINCT m.conversation_id, c.team_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE CASE WHEN json_valid(content) THEN json_extract(content, '$.mediaId') END = ? ORDER BY m.conversation_id`;
    expect(plan(db, mediaQuery, 'media-1')).toContain('USING INDEX messages_by_media');
  });

  it('tells who may download a photo: the teams of the conversations that show it', async () => {
    const { store } = open(schema2Folder());
    expect(await store.mediaAccess('media-1')).toEqual({ uploadedBy: null, conversationIds: ['conv-dana'], teamIds: ['main'] });
    expect(await store.mediaAccess(uuidv7())).toBeNull();
  });
});
