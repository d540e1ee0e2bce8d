// Who queued what: an outbox row is sent only by the agent who queued it, so a shared console never sends one agent's
// words under another's name. Rows queued before a hello named the token's agent are claimed by that token's hello.
import { emptyChanges, type ChangeSet } from './local-changes';
import type { LocalDatabase } from './local-db';
import type { CacheWriter } from './local-writes';

/**
 * Only the head of each conversation's queue is ever due: per-conversation order comes from SQL. The head is the
 * author's own: what a colleague queued here (and will send when they sign in again) does not hold anyone up.
 */
export const HEAD =
  "o.position = (SELECT min(position) FROM outbox p WHERE p.conversation_id = o.conversation_id AND p.state = 'queued' AND p.author_id IS o.author_id)";
/**
 * `@all = 1`: every author's rows (migration checks and tests); else the rows of `@author`, and those queued under the
 * token `@key` before a hello named its agent (they are that agent's once it does).
 */
export const BY_AUTHOR = '(@all = 1 OR o.author_id = @author OR (o.author_id IS NULL AND o.author_key = @key))';
export type AuthorParams = { all: 0 | 1; author: string | null; key: string | null };

/** Whose rows: the agent a hello confirmed (or null), and the key of the token in use. */
export interface AuthorFilter {
  id: string | null;
  key: string | null;
}

export const authorParams = (author: AuthorFilter | undefined): AuthorParams => ({
  all: author === undefined ? 1 : 0,
  author: author?.id ?? null,
  key: author?.key ?? null,
});

export interface QueuedBy {
  id: string | null;
  name: string | null;
}

export class OutboxAuthors {
  private readonly statements;

  constructor(
    private readonly db: LocalDatabase,
    private readonly writer: CacheWriter,
  ) {
    this.statements = {
      unclaimed: db.prepare<[string], { message_id: string }>('SELECT message_id FROM outbox WHERE author_id IS NULL AND author_key = ?'),
      claim: db.prepare<[string, string, string]>(
        'UPDATE outbox SET author_id = ?, author_name = ?, author_key = NULL WHERE author_id IS NULL AND author_key = ?',
      ),
      setSender: db.prepare<[string, string, string]>('UPDATE messages SET sender_agent_id = ?, sender_name = ? WHERE id = ?'),
      author: db.prepare<[string], { author_id: string | null; author_name: string | null }>('SELECT author_id, author_name FROM outbox WHERE message_id = ?'),
    };
  }

  /**
   * A hello named the agent behind the token with this fingerprint: what was queued under it before anyone knew who
   * that was is theirs. Returns the messages that now name their sender.
   */
  claim(key: string, agent: { id: string; name: string }): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      const rows = this.statements.unclaimed.all(key);
      if (rows.length === 0) return;
      this.statements.claim.run(agent.id, agent.name, key);
      for (const { message_id } of rows) {
        this.statements.setSender.run(agent.id, agent.name, message_id);
        const message = this.writer.message(message_id);
        if (message === null) continue;
        changes.messages.set(message.id, message);
        changes.conversations.add(message.conversationId);
      }
    })();
    return changes;
  }

  /** Who queued a message still in the outbox, or null when it is not in it. */
  of(messageId: string): QueuedBy | null {
    const row = this.statements.author.get(messageId);
    return row === undefined ? null : { id: row.author_id, name: row.author_name };
  }
}
