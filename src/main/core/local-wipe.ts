// Sign-out and agent-change wipe: the agent's customer data leaves the cache, and its bytes leave the files on disk.
import type { LocalDatabase } from './local-db';
import type { MediaCache } from './local-media';
import { BY_AUTHOR, authorParams, type AuthorFilter } from './local-outbox-authors';

export interface WipeOptions {
  /**
   * What happens to the queued messages of `author` (the agent signing out): kept, to be sent under their name when they
   * sign in again (issue 14: queued work keeps its author), or discarded. Others' queued work is theirs and always stays.
   */
  queued: 'keep' | 'discard';
  author?: AuthorFilter;
}

export interface WipeResult {
  /** Outbox rows (any author's) still here afterwards. */
  keptQueued: number;
  /** Whether VACUUM rewrote the file (not on a full disk; secure_delete has zeroed what was deleted all the same). */
  vacuumed: boolean;
}

/** Media a remaining (queued) message still names: its file goes with it when it is sent. */
const NAMED_MEDIA = "SELECT json_extract(content, '$.mediaId') FROM messages WHERE json_extract(content, '$.mediaId') IS NOT NULL";

/**
 * Deletes everything the cache holds about customers except queued messages (and the conversation rows they are sent
 * to), then rewrites the file: with secure_delete the freed pages are zeroed, VACUUM drops free pages and rebuilds the
 * file, and a truncating checkpoint empties the WAL, whose old frames would otherwise still hold deleted rows.
 */
export function wipeCache(db: LocalDatabase, media: MediaCache, options: WipeOptions): WipeResult {
  db.transaction(() => {
    if (options.queued === 'discard' && options.author !== undefined) {
      const params = authorParams(options.author);
      const theirs = `SELECT o.message_id FROM outbox o WHERE ${BY_AUTHOR}`;
      db.prepare(`DELETE FROM messages WHERE id IN (${theirs})`).run(params);
      db.prepare(`DELETE FROM outbox WHERE message_id IN (${theirs})`).run(params);
    }
    db.exec(`
      DELETE FROM messages WHERE id NOT IN (SELECT message_id FROM outbox);
      DELETE FROM conversations WHERE id NOT IN (SELECT conversation_id FROM outbox);
      DELETE FROM drafts;
      DELETE FROM templates;
      DELETE FROM directory;
      DELETE FROM uploads WHERE local_media_id NOT IN (${NAMED_MEDIA});
      DELETE FROM media_files WHERE media_id NOT IN (${NAMED_MEDIA});
      INSERT INTO message_search (message_search) VALUES ('rebuild');
      INSERT INTO conversation_search (conversation_search) VALUES ('rebuild');
      UPDATE session SET cursor = NULL, agent_id = NULL, agent_name = NULL, agent_role = NULL, agent_teams = NULL, agent_key = NULL,
        templates_fetched_at = NULL WHERE id = 1;
    `);
  })();
  // Files only after the commit (a rolled-back wipe must not have lost the bytes of a queued file).
  media.sweep();
  const vacuumed = scrubFile(db);
  return { keptQueued: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox').get()!.n, vacuumed };
}

/**
 * Leaves no deleted row's bytes in console.db or its WAL. VACUUM needs free space about the size of the file: on a full
 * disk it fails, and secure_delete (which zeroed what was deleted) with the checkpoint must do, so the sign-out goes on.
 * Returns whether the file was rewritten.
 */
function scrubFile(db: LocalDatabase): boolean {
  let vacuumed = true;
  try {
    db.exec('VACUUM');
  } catch {
    vacuumed = false;
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  return vacuumed;
}
