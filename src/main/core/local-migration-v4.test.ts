// Schema 3 → 4 (need-to-know) on a cache with rows: queued work belongs to the agent on record, who alone sends it;
// conversations, messages and the cursor read back as they were; names and teams are empty until the relay gives them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../shared/migrations';
import { mediaDirOf } from './local-db';
import { localMigrations } from './local-migrations';
import { openLocalStore, type LocalStore } from './local-store';

const T0 = Date.UTC(2026, 5, 1, 9);
const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

/** A cache as Branchline wrote it at schema 3: agent Ana on record, a conversation with a queued reply and a failed one. */
function schema3Cache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-v3-'));
  const db = new Database(path.join(dir, 'console.db'));
  migrate(db, localMigrations(mediaDirOf(dir)).slice(0, 3), 'Branchline');
  expect(db.pragma('user_version', { simple: true })).toBe(3);
  db.prepare("UPDATE session SET agent_id = 'ana', agent_name = 'Ana Cohen', relay_url = 'wss://relay.bank.example', cursor = 77 WHERE id = 1").run();
  db.prepare(
    `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, last_inbound_at, last_message_at, created_at, updated_at)
     VALUES ('c-dana', '972541234567', 'Dana Levi', 'ana', ?, ?, ?, ?)`,
  ).run(T0, T0 + 2, T0, T0);
  const message = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, content, status, sender_agent_id, created_at, updated_at, search_text)
     VALUES (?, 'c-dana', 'out', ?, ?, ?, ?, ?, ?)`,
  );
  message.run('m-queued', JSON.stringify({ type: 'text', body: 'On its way' }), 'queued', 'ana', T0 + 1, T0 + 1, 'On its way');
  message.run('m-failed', JSON.stringify({ type: 'text', body: 'Call us' }), 'failed', null, T0 + 2, T0 + 2, 'Call us');
  const outbox = db.prepare('INSERT INTO outbox (message_id, conversation_id, position, request, state) VALUES (?, ?, ?, ?, ?)');
  outbox.run('m-queued', 'c-dana', 1, JSON.stringify({ conversationId: 'c-dana', content: { type: 'text', body: 'On its way' } }), 'queued');
  outbox.run('m-failed', 'c-dana', 2, JSON.stringify({ conversationId: 'c-dana', content: { type: 'text', body: 'Call us' } }), 'failed');
  db.close();
  return dir;
}

describe('migrating a schema-3 cache to schema 4', () => {
  it('gives what was queued to the agent on record: only they send it, and it names them', () => {
    const store = openLocalStore(schema3Cache());
    open.push(store);
    expect(store.db.pragma('user_version', { simple: true })).toBe(localMigrations('').length);
    expect(store.outbox.due(T0 + 10_000, 10, { id: 'ana', key: null }).map((o) => o.messageId)).toEqual(['m-queued']);
    expect(store.outbox.due(T0 + 10_000, 10, { id: 'ben', key: null })).toEqual([]);
    expect(store.outbox.queuedCount({ id: 'ben', key: null })).toBe(0);
    expect(store.authors.of('m-queued')).toEqual({ id: 'ana', name: 'Ana Cohen' });
    expect(store.authors.of('m-failed')).toEqual({ id: 'ana', name: 'Ana Cohen' });
    expect(store.message('m-queued')).toMatchObject({ senderAgentId: 'ana', sender: { id: 'ana', name: 'Ana Cohen' } });
    expect(store.message('m-failed')).toMatchObject({ senderAgentId: 'ana', sender: { id: 'ana', name: 'Ana Cohen' } });
  });

  it('keeps conversations, messages and the cursor; role and teams wait for the relay’s hello', () => {
    const store = openLocalStore(schema3Cache());
    open.push(store);
    expect(store.conversation('c-dana')).toEqual({
      id: 'c-dana',
      customer: { waId: '972541234567', name: 'Dana Levi' },
      assignedAgentId: 'ana',
      lastInboundAt: T0,
      caseId: null,
      readUpTo: null,
      lastMessageAt: T0 + 2,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(store.session.get()).toMatchObject({ agent: { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [] }, agentKey: null, cursor: 77 });
  });
});
