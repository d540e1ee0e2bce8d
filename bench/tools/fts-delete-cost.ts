// Root cause of scenario 1's commit cost: the statement LocalStore.upsertConversation runs for every
// conversation.upserted event, on the console's real schema — its query plan, and its cost as the index grows.
//   npx tsx bench/tools/fts-delete-cost.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalDatabase } from '../../src/main/core/local-db';

const DELETE = 'DELETE FROM search_index WHERE conversation_id = ? AND message_id IS NULL';
const dir = mkdtempSync(path.join(tmpdir(), 'branchline-fts-'));
const db = openLocalDatabase(dir);
try {
  const plan = db.prepare<[string], { detail: string }>(`EXPLAIN QUERY PLAN ${DELETE}`).all('x');
  console.log(`query plan: ${plan.map((p) => p.detail).join(' / ')}`);
  const insert = db.prepare('INSERT INTO search_index (text, conversation_id, message_id) VALUES (?, ?, ?)');
  const remove = db.prepare(DELETE);
  let rows = 0;
  for (const size of [1_000, 10_000, 50_000, 100_000]) {
    db.transaction(() => {
      for (; rows < size; rows++) insert.run(`Message ${rows}: hello, I need a copy of my loan statement`, `c${rows % 200}`, `m${rows}`);
    })();
    const started = performance.now();
    db.transaction(() => {
      for (let k = 0; k < 100; k++) remove.run(`c${k}`);
    })();
    console.log(`${String(size).padStart(7)} rows in search_index: ${((performance.now() - started) / 100).toFixed(3)} ms per delete`);
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
