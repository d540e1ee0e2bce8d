// Schema 3 opened on a schema-2 cache with rows in it: nothing is lost, search still works, and the 2026 identities fit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../shared/migrations';
import { mediaDirOf } from './local-db';
import { localMigrations } from './local-migrations';
import { LocalQueries } from './local-queries';
import { openLocalStore, type LocalStore } from './local-store';

const T0 = Date.UTC(2026, 4, 20, 9);
const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
});

/** A cache as Branchline wrote it at schema 2: two conversations (one started here), messages, a queued reply, a draft. */
function schema2Cache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-v2-'));
  const db = new Database(path.join(dir, 'console.db'));
  migrate(db, localMigrations(mediaDirOf(dir)).slice(0, 2), 'Branchline');
  expect(db.pragma('user_version', { simple: true })).toBe(2);
  const conversation = db.prepare(
    `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at, created_at, updated_at, local_only)
     VALUES (?, ?, ?, 'ana', ?, ?, NULL, ?, ?, ?, ?)`,
  );
  conversation.run('c-dana', '972541234567', 'Dana Levi', T0, 'CASE-7', T0 + 2, T0, T0, 0);
  conversation.run('c-local', '447700900123', null, null, null, T0 + 3, T0 + 3, T0 + 3, 1);
  const message = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, content, status, created_at, updated_at, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  message.run(
    'm-1',
    'c-dana',
    'in',
    JSON.stringify({ type: 'text', body: 'my mortgage statement please' }),
    'delivered',
    T0,
    T0,
    'my mortgage statement please',
  );
  message.run('m-2', 'c-dana', 'out', JSON.stringify({ type: 'text', body: 'On its way' }), 'queued', T0 + 1, T0 + 1, 'On its way');
  db.prepare("INSERT INTO outbox (message_id, conversation_id, position, request, state) VALUES ('m-2', 'c-dana', 1, ?, 'queued')").run(
    JSON.stringify({ conversationId: 'c-dana', content: { type: 'text', body: 'On its way' } }),
  );
  db.prepare("INSERT INTO drafts (conversation_id, text, updated_at) VALUES ('c-dana', 'Also, your card', ?)").run(T0);
  db.prepare('UPDATE session SET cursor = 41 WHERE id = 1').run();
  db.close();
  return dir;
}

function openMigrated(dir: string): { store: LocalStore; queries: LocalQueries } {
  const store = openLocalStore(dir);
  open.push(store);
  return { store, queries: new LocalQueries(store.db) };
}

describe('migrating a schema-2 cache to schema 3', () => {
  it('keeps conversations, messages, the outbox, the draft and the cursor as they were', () => {
    const { store, queries } = openMigrated(schema2Cache());
    expect(store.db.pragma('user_version', { simple: true })).toBe(localMigrations('').length); // schema 3, and every step since
    expect(store.conversation('c-dana')).toEqual({
      id: 'c-dana',
      customer: { waId: '972541234567', name: 'Dana Levi' },
      assignedAgentId: 'ana',
      lastInboundAt: T0,
      caseId: 'CASE-7',
      readUpTo: null,
      lastMessageAt: T0 + 2,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(queries.messages('c-dana', 10).messages.map((m) => m.id)).toEqual(['m-2', 'm-1']);
    expect(store.message('m-1')).not.toHaveProperty('edited');
    expect(store.outbox.due(T0 + 10, 10).map((o) => o.request)).toEqual([{ conversationId: 'c-dana', content: { type: 'text', body: 'On its way' } }]);
    expect(store.session.draft('c-dana')).toBe('Also, your card');
    expect(store.cursor()).toBe(41);
    expect(store.outbox.isLocalOnly('c-local')).toBe(true);
  });

  it('still finds customers by name and number, and messages by their words (the index is rebuilt)', () => {
    const { queries } = openMigrated(schema2Cache());
    expect(queries.search('dana', 10)).toMatchObject([{ conversationId: 'c-dana', messageId: null }]);
    expect(queries.search('447700900123', 10)).toMatchObject([{ conversationId: 'c-local', messageId: null }]);
    expect(queries.search('mortgage', 10)).toMatchObject([{ conversationId: 'c-dana', messageId: 'm-1' }]);
  });

  it('then holds a customer WhatsApp gives no number for, and finds them by username and BSUID', () => {
    const { store, queries } = openMigrated(schema2Cache());
    store.applySnapshot(
      [
        {
          id: 'c-bsuid',
          customer: { waId: null, bsuid: 'US.13491208655302741918', username: 'noa.k', name: 'Noa' },
          assignedAgentId: null,
          lastInboundAt: T0 + 5,
          caseId: null,
          readUpTo: null,
          lastMessageAt: T0 + 5,
          createdAt: T0 + 5,
          updatedAt: T0 + 5,
        },
      ],
      [],
    );
    expect(store.conversation('c-bsuid')?.customer).toEqual({ waId: null, bsuid: 'US.13491208655302741918', username: 'noa.k', name: 'Noa' });
    for (const query of ['noa', 'US.13491208655302741918', '1349120865']) expect(queries.search(query, 10)).toMatchObject([{ conversationId: 'c-bsuid' }]);
  });
});
