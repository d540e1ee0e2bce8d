// The loaded stretch of one conversation's history, and the pure rules for merging pages and events into it.
import type { Message } from '../../shared/domain';
import { statusRank } from '../../shared/status-merge';

export interface Thread {
  conversationId: string;
  byId: Record<string, Message>;
  /** Ids oldest first: the order the view shows. */
  order: string[];
  olderCursor: string | null;
  hasOlder: boolean;
  /** Opened at a search hit whose newer messages are not all loaded: new arrivals wait for "Jump to latest". */
  gapToLatest: boolean;
  status: 'loading' | 'ready' | 'error';
  loadingOlder: boolean;
  error: string | null;
  /** The message to scroll to and highlight (a search hit). */
  focusId: string | null;
  /** Changes on every fresh load, so the view resets its scroll position. */
  loadId: number;
}

export function emptyThread(conversationId: string, loadId: number): Thread {
  return {
    conversationId,
    byId: {},
    order: [],
    olderCursor: null,
    hasOlder: false,
    gapToLatest: false,
    status: 'loading',
    loadingOlder: false,
    error: null,
    focusId: null,
    loadId,
  };
}

/** Display order: by time, then id (UUIDv7 ids sort by creation), as the service pages them. */
export function compareMessages(a: Message, b: Message): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

/** A late or replayed copy never moves a status backwards (a page fetched before a "read" event, say). */
export function mergeMessage(current: Message | undefined, incoming: Message): Message {
  if (current === undefined || statusRank(incoming.status) >= statusRank(current.status)) return incoming;
  return { ...incoming, status: current.status, failure: current.failure };
}

function insertSorted(order: string[], byId: Record<string, Message>, message: Message): void {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareMessages(byId[order[mid]!]!, message) < 0) low = mid + 1;
    else high = mid;
  }
  order.splice(low, 0, message.id);
}

/** Applies a messages.changed event: updates known messages, inserts new ones that fall inside the loaded stretch. */
export function applyChangedMessages(thread: Thread, messages: readonly Message[]): Thread {
  const byId = { ...thread.byId };
  const order = [...thread.order];
  let changed = false;
  for (const message of messages) {
    if (message.conversationId !== thread.conversationId) continue;
    const current = byId[message.id];
    if (current !== undefined) {
      byId[message.id] = mergeMessage(current, message);
      changed = true;
      continue;
    }
    const newest = order.length > 0 ? byId[order[order.length - 1]!] : undefined;
    const oldest = order.length > 0 ? byId[order[0]!] : undefined;
    if (thread.gapToLatest && newest !== undefined && compareMessages(message, newest) > 0) continue;
    if (thread.hasOlder && oldest !== undefined && compareMessages(message, oldest) < 0) continue;
    byId[message.id] = message;
    insertSorted(order, byId, message);
    changed = true;
  }
  return changed ? { ...thread, byId, order } : thread;
}

export function removeMessages(thread: Thread, ids: readonly string[]): Thread {
  const gone = new Set(ids.filter((id) => thread.byId[id] !== undefined));
  if (gone.size === 0) return thread;
  const byId = { ...thread.byId };
  for (const id of gone) delete byId[id];
  return { ...thread, byId, order: thread.order.filter((id) => !gone.has(id)) };
}

/** Adds a page of older messages (any order) below what is loaded. */
export function addOlderPage(thread: Thread, page: { messages: readonly Message[]; olderCursor: string | null; hasOlder: boolean }): Thread {
  const byId = { ...thread.byId };
  const fresh = page.messages.filter((m) => byId[m.id] === undefined).sort(compareMessages);
  for (const m of page.messages) byId[m.id] = mergeMessage(byId[m.id], m);
  return { ...thread, byId, order: [...fresh.map((m) => m.id), ...thread.order], olderCursor: page.olderCursor, hasOlder: page.hasOlder, loadingOlder: false };
}

/** A freshly loaded stretch (newest-first pages, as the service answers). */
export function threadFromPages(
  base: Thread,
  pages: readonly { messages: readonly Message[]; olderCursor: string | null; hasOlder: boolean }[],
  gapToLatest: boolean,
): Thread {
  const byId: Record<string, Message> = {};
  for (const page of pages) for (const m of page.messages) byId[m.id] = mergeMessage(byId[m.id], m);
  const order = Object.values(byId)
    .sort(compareMessages)
    .map((m) => m.id);
  // The older edge comes from whichever page reaches further back.
  let edge = pages[0];
  for (const page of pages) {
    const oldest = page.messages.at(-1);
    const edgeOldest = edge?.messages.at(-1);
    if (oldest !== undefined && (edgeOldest === undefined || compareMessages(oldest, edgeOldest) < 0)) edge = page;
  }
  return { ...base, byId, order, olderCursor: edge?.olderCursor ?? null, hasOlder: edge?.hasOlder ?? false, gapToLatest, status: 'ready', error: null };
}
