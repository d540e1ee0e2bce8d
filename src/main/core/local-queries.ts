// Read side of the local cache: the conversation list, message pages and full-text search, every row parsed.
import type { ConversationFilter, ConversationSummary, SearchHit } from '../../shared/contract';
import type { Message } from '../../shared/domain';
import type { LocalDatabase } from './local-db';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, conversationOf, messageOf } from './local-rows';
import { previewOf } from './domain/message-text';

const UNREAD = "SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.hidden = 0 AND m.created_at > coalesce(c.read_up_to, 0)";

const SUMMARY_SELECT = `
  SELECT ${CONVERSATION_COLUMNS},
    (SELECT count(*) FROM (${UNREAD})) AS unread,
    EXISTS (SELECT 1 FROM drafts d WHERE d.conversation_id = c.id) AS has_draft,
    (SELECT m.pk FROM messages m WHERE m.conversation_id = c.id AND m.hidden = 0 ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS last_pk
  FROM conversations c`;

interface SummaryRow {
  unread: number;
  has_draft: number;
  last_pk: number | null;
}

const FILTERS: Record<ConversationFilter, string> = {
  all: '1 = 1',
  mine: 'c.assigned_agent_id = @me',
  unassigned: 'c.assigned_agent_id IS NULL',
  unread: `EXISTS (${UNREAD})`,
};

const PAGE_ORDER = 'ORDER BY m.created_at DESC, m.id DESC';

export class LocalQueries {
  private readonly statements;

  constructor(private readonly db: LocalDatabase) {
    this.statements = {
      summary: db.prepare<[string], SummaryRow & Record<string, unknown>>(`${SUMMARY_SELECT} WHERE c.id = ?`),
      messageByPk: db.prepare<[number], unknown>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.pk = ?`),
      anchor: db.prepare<[string, string], { created_at: number }>('SELECT created_at FROM messages WHERE id = ? AND conversation_id = ?'),
      newer: db.prepare<[string, number, number, string], unknown>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? AND m.hidden = 0 AND (m.created_at > ? OR (m.created_at = ? AND m.id > ?))
         ORDER BY m.created_at ASC, m.id ASC LIMIT 10`,
      ),
      newest: db.prepare<[string, number], unknown>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? AND m.hidden = 0 ${PAGE_ORDER} LIMIT ?`,
      ),
      older: db.prepare<[string, number, number, string, number], unknown>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? AND m.hidden = 0 AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?))
         ${PAGE_ORDER} LIMIT ?`,
      ),
      search: db.prepare<[string, string, number], { kind: 'm' | 'c'; pk: number; snippet: string; rank: number }>(
        `SELECT 'm' AS kind, rowid AS pk, snippet(message_search, 0, char(1), char(2), '…', 12) AS snippet, rank FROM message_search WHERE message_search MATCH ?
         UNION ALL
         SELECT 'c' AS kind, rowid AS pk, snippet(conversation_search, 0, char(1), char(2), '…', 12) AS snippet, rank FROM conversation_search WHERE conversation_search MATCH ?
         ORDER BY rank LIMIT ?`,
      ),
      searchMessage: db.prepare<[number], { id: string; conversation_id: string; created_at: number; hidden: number }>(
        'SELECT id, conversation_id, created_at, hidden FROM messages WHERE pk = ?',
      ),
      conversationByPk: db.prepare<[number], unknown>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.pk = ?`),
      conversationById: db.prepare<[string], unknown>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?`),
    };
  }

  private toSummary(row: SummaryRow & Record<string, unknown>): ConversationSummary {
    const lastRow = row.last_pk === null ? undefined : this.statements.messageByPk.get(row.last_pk);
    const last = lastRow === undefined ? null : messageOf(lastRow);
    return {
      conversation: conversationOf(row),
      preview: last === null ? null : previewOf(last.content),
      previewDirection: last?.direction ?? null,
      unread: row.unread,
      hasDraft: row.has_draft === 1,
      ...(last?.direction === 'out' && { previewSender: last.sender ?? null }),
    };
  }

  listConversations(filter: ConversationFilter, me: string | null, limit: number, offset: number): { items: ConversationSummary[]; total: number } {
    const where = FILTERS[filter];
    const params = { me: me ?? '', limit, offset };
    const items = this.db
      .prepare<typeof params, SummaryRow & Record<string, unknown>>(
        `${SUMMARY_SELECT} WHERE ${where} ORDER BY c.last_message_at DESC, c.id DESC LIMIT @limit OFFSET @offset`,
      )
      .all(params)
      .map((row) => this.toSummary(row));
    const total = this.db.prepare<typeof params, { n: number }>(`SELECT count(*) AS n FROM conversations c WHERE ${where}`).get(params)!.n;
    return { items, total };
  }

  summaries(ids: readonly string[]): ConversationSummary[] {
    return ids.flatMap((id) => {
      const row = this.statements.summary.get(id);
      return row === undefined ? [] : [this.toSummary(row)];
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
      const row = this.statements.anchor.get(around, conversationId);
      if (row !== undefined) {
        newer = this.statements.newer.all(conversationId, row.created_at, row.created_at, around).map(messageOf).reverse();
        anchor = { t: row.created_at, id: `${around}\u0000` }; // include the anchor itself
      }
    }
    const rows =
      anchor === null
        ? this.statements.newest.all(conversationId, limit + 1)
        : this.statements.older.all(conversationId, anchor.t, anchor.t, anchor.id, limit + 1);
    const page = rows.slice(0, limit).map(messageOf);
    const oldest = page.at(-1);
    const hasOlder = rows.length > limit;
    return { messages: [...newer, ...page], olderCursor: hasOlder && oldest !== undefined ? `${oldest.createdAt}:${oldest.id}` : null, hasOlder };
  }

  /** Full-text search over names, usernames, BSUIDs, numbers, group subjects and message text; each word matches as a prefix. */
  search(query: string, limit: number): SearchHit[] {
    const words = query.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length === 0) return [];
    // Every word quoted: user input never reaches FTS5's query syntax.
    const match = words.map((w) => `"${w}"*`).join(' ');
    const hits: SearchHit[] = [];
    for (const hit of this.statements.search.all(match, match, limit)) {
      if (hit.kind === 'c') {
        const row = this.statements.conversationByPk.get(hit.pk);
        if (row === undefined) continue;
        const conversation = conversationOf(row);
        hits.push({
          conversationId: conversation.id,
          messageId: null,
          customer: conversation.customer,
          group: conversation.group ?? null,
          snippet: hit.snippet.slice(0, 400),
          at: null,
        });
        continue;
      }
      const message = this.statements.searchMessage.get(hit.pk);
      const row = message === undefined ? undefined : this.statements.conversationById.get(message.conversation_id);
      if (message === undefined || row === undefined || message.hidden === 1) continue;
      const conversation = conversationOf(row);
      hits.push({
        conversationId: conversation.id,
        messageId: message.id,
        customer: conversation.customer,
        group: conversation.group ?? null,
        snippet: hit.snippet.slice(0, 400),
        at: message.created_at,
      });
    }
    return hits;
  }
}
