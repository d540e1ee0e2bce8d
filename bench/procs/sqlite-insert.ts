// Raw better-sqlite3 baseline: the same message and conversation rows the frames carry, inserted with cached
// statements in one transaction per frame, into the console's own schema and pragmas (no FTS, no reads, no JSON work).
//   node --import tsx bench/procs/sqlite-insert.ts --frames FILE
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Conversation, Message } from '../../src/shared/domain';
import { openLocalDatabase } from '../../src/main/core/local-db';
import { requiredArg, serve } from '../lib/child-side';
import { readFrames } from '../lib/frames';

type Row = { kind: 'message'; values: unknown[] } | { kind: 'conversation'; values: Record<string, unknown> };

// Rows are prepared before the clock starts: only inserting is timed.
const batches: Row[][] = readFrames(requiredArg('frames')).map((frame) =>
  (JSON.parse(frame) as { events: { event: { kind: string; message?: Message; conversation?: Conversation } }[] }).events.flatMap(({ event }): Row[] => {
    if (event.kind === 'message.created' && event.message !== undefined) {
      const m = event.message;
      return [{ kind: 'message', values: [m.id, m.conversationId, m.direction, JSON.stringify(m.content), m.status, m.createdAt, m.updatedAt] }];
    }
    if (event.kind === 'conversation.upserted' && event.conversation !== undefined) {
      const c = event.conversation;
      return [
        {
          kind: 'conversation',
          values: {
            id: c.id,
            waId: c.customer.waId,
            name: c.customer.name,
            assigned: c.assignedAgentId,
            readUpTo: c.readUpTo,
            lastMessageAt: c.lastMessageAt ?? c.createdAt,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
          },
        },
      ];
    }
    return [];
  }),
);
const messages = batches.reduce((sum, rows) => sum + rows.filter((r) => r.kind === 'message').length, 0);

serve(
  {
    run: () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'branchline-bench-sqlite-'));
      const db = openLocalDatabase(dir);
      try {
        const insertMessage = db.prepare(
          'INSERT INTO messages (id, conversation_id, direction, content, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        const upsertConversation = db.prepare(
          `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, read_up_to, last_message_at, created_at, updated_at)
           VALUES (@id, @waId, @name, @assigned, @readUpTo, @lastMessageAt, @createdAt, @updatedAt)
           ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name, last_message_at = excluded.last_message_at,
             updated_at = excluded.updated_at`,
        );
        const commit = db.transaction((rows: Row[]) => {
          for (const row of rows) {
            if (row.kind === 'message') insertMessage.run(...row.values);
            else upsertConversation.run(row.values);
          }
        });
        const started = performance.now();
        for (const rows of batches) commit(rows);
        return { ms: performance.now() - started, messages };
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  async () => {},
);
