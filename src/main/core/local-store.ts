// The console's local state: relay events applied idempotently, the outbox that never loses a message, media and session.
import type { Conversation, Message } from '../../shared/domain';
import type { SequencedEvent } from '../../shared/protocol';
import type { RelayEvent } from '../../shared/protocol-events';
import { emptyChanges, type ChangeSet } from './local-changes';
import { mediaDirOf, openLocalDatabase, type LocalDatabase, type OpenLocalDatabaseOptions } from './local-db';
import { MediaCache } from './local-media';
import { OutboxTable } from './local-outbox';
import { OutboxAuthors } from './local-outbox-authors';
import { CONVERSATION_COLUMNS, conversationOf } from './local-rows';
import { SessionTable } from './local-session';
import { CacheWriter } from './local-writes';
import { wipeCache, type WipeOptions, type WipeResult } from './local-wipe';
import { MediaFiles } from './media-files';

export type { ChangeSet } from './local-changes';
export { emptyChanges } from './local-changes';
export type { OutboxItem, OutboxRequest } from './local-outbox';

/** How far a message's time (the customer's phone) and its conversation's (the relay's clock) may disagree. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface LocalStoreOptions {
  /** A stored outbox row that no longer parsed was failed in place (the UI should hear of the change). */
  onRepaired?: (changes: ChangeSet, messageId: string, reason: string) => void;
}

export class LocalStore {
  readonly session: SessionTable;
  readonly outbox: OutboxTable;
  /** Who queued what in the outbox (only they send it). */
  readonly authors: OutboxAuthors;
  readonly media: MediaCache;
  private readonly writer: CacheWriter;
  private readonly getConversation;

  constructor(
    readonly db: LocalDatabase,
    files: MediaFiles,
    options: LocalStoreOptions = {},
  ) {
    this.writer = new CacheWriter(db);
    this.session = new SessionTable(db);
    this.media = new MediaCache(db, files);
    this.outbox = new OutboxTable(db, this.writer, this.media, (changes, id, reason) => options.onRepaired?.(changes, id, reason));
    this.authors = new OutboxAuthors(db, this.writer);
    this.getConversation = db.prepare<[string], unknown>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?`);
  }

  /** The last event seq committed here: what the connection resumes from. */
  cursor(): number | null {
    return this.session.cursor();
  }

  /** Applies a batch and advances the cursor in one transaction: after it returns, the batch may be acked. */
  applyEvents(events: readonly SequencedEvent[]): ChangeSet {
    const changes = emptyChanges();
    const orphanedMedia: string[] = [];
    this.db.transaction(() => {
      for (const { event } of events) this.applyEvent(event, changes, orphanedMedia);
      const last = events.at(-1);
      if (last !== undefined) this.session.setCursor(last.seq);
    })();
    this.dropMedia(orphanedMedia);
    return changes;
  }

  /**
   * After a resync's pages are stored: the relay's list is the truth. Conversations it no longer lists (moved to a team
   * this agent is not in, or out of reach since their access changed) leave the cache with their messages, drafts and
   * cached files; what a colleague queued in them stays, unseen, until that colleague signs in again. A conversation
   * started here that the relay has not named yet stays too.
   */
  replaceConversations(listed: ReadonlySet<string>): ChangeSet {
    const changes = emptyChanges();
    const orphanedMedia: string[] = [];
    this.db.transaction(() => {
      const held = this.db.prepare<[], { id: string }>('SELECT id FROM conversations WHERE local_only = 0').all();
      for (const { id } of held) if (!listed.has(id)) orphanedMedia.push(...this.removeConversation(id, null, changes));
    })();
    this.dropMedia(orphanedMedia);
    return changes;
  }

  // Files only after the commit: a rolled-back removal must not have lost bytes its rows still point to.
  private dropMedia(mediaIds: readonly string[]): void {
    for (const mediaId of mediaIds) {
      this.media.dropUpload(mediaId);
      this.media.remove(mediaId);
    }
  }

  /** Writes state obtained outside the event stream (first sync pages), with the same idempotent rules. */
  applySnapshot(conversations: readonly Conversation[], messages: readonly Message[]): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      for (const conversation of conversations) this.writer.upsertConversation(conversation, changes);
      for (const message of messages) this.writer.upsertMessage(message, changes, false);
    })();
    return changes;
  }

  private applyEvent(event: RelayEvent, changes: ChangeSet, orphanedMedia: string[]): void {
    switch (event.kind) {
      case 'message.created':
        this.writer.upsertMessage(event.message, changes, true);
        return;
      case 'message.updated':
        // An edit or deletion replaces the stored copy; it is not a new message, so it never notifies.
        this.writer.upsertMessage(event.message, changes, false);
        return;
      case 'conversation.removed':
        orphanedMedia.push(...this.removeConversation(event.conversationId, event.mergedInto, changes));
        return;
      case 'message.status':
        this.writer.mergeStatus(event.messageId, event.status, event.failure, event.at, changes);
        return;
      case 'conversation.upserted':
        this.writer.upsertConversation(event.conversation, changes);
        return;
      case 'events.skipped':
        // Events about conversations this agent may not see: nothing to store; the cursor moves past them with the batch.
        return;
    }
  }

  /**
   * Drops a conversation the relay removed. When it was merged into another, what the agent typed moves there first:
   * messages not yet taken by the relay (with their outbox rows) and the draft; otherwise what a colleague queued in it
   * stays for them (LocalStore.replaceConversations). Returns the media ids to delete.
   */
  private removeConversation(conversationId: string, mergedInto: string | null, changes: ChangeSet): string[] {
    if (mergedInto !== null && mergedInto !== conversationId) {
      this.outbox.moveConversation(conversationId, mergedInto, changes);
      this.session.moveDraft(conversationId, mergedInto);
      changes.conversations.add(mergedInto);
    }
    const media = this.writer.deleteConversation(conversationId, changes, { signedIn: this.session.get().agent?.id ?? null });
    changes.removedConversations.set(conversationId, mergedInto === conversationId ? null : mergedInto);
    for (let i = changes.newInbound.length - 1; i >= 0; i--) if (changes.newInbound[i]!.conversationId === conversationId) changes.newInbound.splice(i, 1);
    return media;
  }

  /**
   * Whether the cache holds the message that started this conversation (one no later than the conversation's creation,
   * give or take clock skew): a conversation new here that does not hold it came without its history (transferred in).
   */
  holdsBeginning(conversationId: string): boolean {
    const row = this.db
      .prepare<{ id: string; skew: number }, { found: number }>(
        `SELECT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = @id
           AND m.created_at <= (SELECT c.created_at FROM conversations c WHERE c.id = @id) + @skew) AS found`,
      )
      .get({ id: conversationId, skew: CLOCK_SKEW_MS });
    return row?.found === 1;
  }

  message(messageId: string): Message | null {
    return this.writer.message(messageId);
  }

  conversation(conversationId: string): Conversation | null {
    const row = this.getConversation.get(conversationId);
    return row === undefined ? null : conversationOf(row);
  }

  /**
   * Deletes history older than `cutoff` (policy: days kept on the desktop), and cached files as old. Never a message
   * still in the outbox, and a conversation's newest message stays so the list keeps its preview.
   */
  pruneHistory(cutoff: number): { messages: number; files: number } {
    const old = `SELECT m.id FROM messages m WHERE m.created_at < @cutoff
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
        AND m.id <> (SELECT n.id FROM messages n WHERE n.conversation_id = m.conversation_id ORDER BY n.created_at DESC, n.id DESC LIMIT 1)`;
    // A pruned message's file goes with it, however recently it was opened (cached_at alone would keep it).
    const theirFiles = this.db
      .prepare<{ cutoff: number }, { id: string }>(
        `SELECT f.media_id AS id FROM media_files f WHERE f.media_id NOT IN (SELECT local_media_id FROM uploads)
           AND f.media_id IN (SELECT json_extract(content, '$.mediaId') FROM messages WHERE id IN (${old}))`,
      )
      .all({ cutoff });
    const messages = this.db.transaction(() => this.db.prepare(`DELETE FROM messages WHERE id IN (${old})`).run({ cutoff }).changes)();
    for (const { id } of theirFiles) this.media.remove(id);
    const files = this.media.prune(cutoff) + theirFiles.length;
    // secure_delete zeroes what was freed in console.db, but FTS5 keeps a deleted row's tokens in older segments until
    // they merge, and the WAL keeps the old pages until a checkpoint. (No VACUUM: it would block the app daily.)
    if (messages > 0) this.db.prepare("INSERT INTO message_search (message_search) VALUES ('optimize')").run();
    if (messages > 0 || files > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { messages, files };
  }

  /** Sign-out or another agent: the cache keeps only queued messages (local-wipe.ts), and the file keeps no deleted bytes. */
  wipe(options: WipeOptions): WipeResult {
    return wipeCache(this.db, this.media, options);
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating or migrating) the cache in `dataDir`, and removes media files a crash left without a row. */
export function openLocalStore(dataDir: string, options: OpenLocalDatabaseOptions & LocalStoreOptions = {}): LocalStore {
  const db = openLocalDatabase(dataDir, options);
  const store = new LocalStore(db, new MediaFiles(mediaDirOf(dataDir), options.cacheKey?.key ?? null), options);
  store.media.sweep();
  return store;
}
