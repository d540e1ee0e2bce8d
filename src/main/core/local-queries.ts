// Read side of the local cache: the conversation list, message pages and full-text search.
import type { ConversationFilter, ConversationSummary, SearchHit } from '../../shared/contract';
import type { Conversation, Message } from '../../shared/domain';
import type { LocalDatabase } from './local-db';
import { previewOf } from './message-text';

interface SummaryRow {
  data: string;
  unread: number;
  has_draft: number;
  last: string | null;
}

const SUMMARY_SELECT = `
  SELECT c.data,
    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.hidden = 0 AND m.created_at > coalesce(c.read_up_to, 0)) AS unread,
    EXISTS (SELECT 1 FROM drafts d WHERE d.conversation_id = c.id) AS has_draft,
    (SELECT m.data FROM messages m WHERE m.conversation_id = c.id AND m.hidden = 0 ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS last
  FROM conversations c`;

function toSummary(row: SummaryRow): ConversationSummary {
  const last = row.last === null ? null : (JSON.parse(row.last) as Message);
  return {
    conversation: JSON.parse(row.data) as Conversation,
    preview: last === null ? null : previewOf(last.content),
    previewDirection: last?.direction ?? null,
    unread: row.unread,
    hasDraft: row.has_draft === 1,
  };
}

const FILTERS: Record<ConversationFilter, string> = {
  all: '1 = 1',
  mine: 'c.assigned_agent_id = @me',
  unassigned: 'c.assigned_agent_id IS NULL',
  unread:
    "EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.hidden = 0 AND m.created_at > coalesce(c.read_up_to, 0))",
};

export class LocalQueries {
  constructor(private readonly db: LocalDatabase) {}

  listConversations(filter: ConversationFilter, me: string | null, limit: number, offset: number): { items: ConversationSummary[]; total: number } {
    const where = FILTERS[filter];
    const params = { me: me ?? '', limit, offset };
    const items = this.db
      .prepare<typeof params, SummaryRow>(`${SUMMARY_SELECT} WHERE ${where} ORDER BY c.last_message_at DESC, c.id DESC LIMIT @limit OFFSET @offset`)
      .all(params)
      .map(toSummary);
    const total = this.db.prepare<typeof params, { n: number }>(`SELECT count(*) AS n FROM conversations c WHERE ${where}`).get(params)!.n;
    return { items, total };
  }

  summaries(ids: readonly string[]): ConversationSummary[] {
    if (ids.length === 0) return [];
    const statement = this.db.prepare<[string], SummaryRow>(`${SUMMARY_SELECT} WHERE c.id = ?`);
    return ids.flatMap((id) => {
      const row = statement.get(id);
      return row === undefined ? [] : [toSummary(row)];
    });
  }

  /**
   * Newest first. `before` is the cursor of the oldest message already shown; `around` returns the
   * page that ends at that message (plus a few newer ones) so a search result opens where it matched.
   */
  messages(conversationId: string, limit: number, before?: string, around?: string): { messages: Message[]; olderCursor: string | null; hasOlder: boolean } {
    let anchor: { t: number; id: string } | null = null;
    if (before !== undefined) {
      const match = /^(\d{1,16}):(.{1,128})$/.exec(before);
      if (match !== null) anchor = { t: Number(match[1]), id: match[2]! };
    }
    let newer: Message[] = [];
    if (around !== undefined) {
      const row = this.db
        .prepare<[string, string], { created_at: number }>('SELECT created_at FROM messages WHERE id = ? AND conversation_id = ?')
        .get(around, conversationId);
      if (row !== undefined) {
        newer = this.db
          .prepare<[string, number, number, string], { data: string }>(
            `SELECT data FROM messages WHERE conversation_id = ? AND hidden = 0 AND (created_at > ? OR (created_at = ? AND id > ?))
             ORDER BY created_at ASC, id ASC LIMIT 10`,
          )
          .all(conversationId, row.created_at, row.created_at, around)
          .map((r) => JSON.parse(r.data) as Message)
          .reverse();
        anchor = { t: row.created_at, id: `${around}\u0000` }; // include the anchor itself
      }
    }
    const rows =
      anchor === null
        ? this.db
            .prepare<[string, number], { data: string }>(
              'SELECT data FROM messages WHERE conversation_id = ? AND hidden = 0 ORDER BY created_at DESC, id DESC LIMIT ?',
            )
            .all(conversationId, limit + 1)
        : this.db
            .prepare<[string, number, number, string, number], { data: string }>(
              `SELECT data FROM messages WHERE conversation_id = ? AND hidden = 0 AND (created_at < ? OR (created_at = ? AND id < ?))
               ORDER BY created_at DESC, id DESC LIMIT ?`,
            )
            .all(conversationId, anchor.t, anchor.t, anchor.id, limit + 1);
    const page = rows.slice(0, limit).map((r) => JSON.parse(r.data) as Message);
    const oldest = page.at(-1);
    const hasOlder = rows.length > limit;
    return { messages: [...newer, ...page], olderCursor: hasOlder && oldest !== undefined ? `${oldest.createdAt}:${oldest.id}` : null, hasOlder };
  }

  /** Full-text search over names, numbers and message text; each word matches as a prefix. */
  search(query: string, limit: number): SearchHit[] {
    const words = query.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length === 0) return [];
    // Every word quoted: user input never reaches FTS5's query syntax.
    const match = words.map((w) => `"${w}"*`).join(' ');
    return this.db
      .prepare<[string, number], { conversation_id: string; message_id: string | null; snippet: string; data: string; created_at: number | null }>(
        `SELECT s.conversation_id, s.message_id, snippet(search_index, 0, char(1), char(2), '…', 12) AS snippet, c.data, m.created_at
         FROM search_index s JOIN conversations c ON c.id = s.conversation_id LEFT JOIN messages m ON m.id = s.message_id
         WHERE search_index MATCH ? AND (m.id IS NULL OR m.hidden = 0)
         ORDER BY rank LIMIT ?`,
      )
      .all(match, limit)
      .map((r) => {
        const conversation = JSON.parse(r.data) as Conversation;
        return {
          conversationId: r.conversation_id,
          messageId: r.message_id,
          customerName: conversation.customer.name,
          waId: conversation.customer.waId,
          snippet: r.snippet.slice(0, 400),
          at: r.created_at,
        };
      });
  }
}
