// Serves a branchline.v1 device from the relay's v2 log and methods: its event reader and its request handler.
import { z } from 'zod';
import { EntityId, type Conversation } from '../shared/domain';
import { err, fail, ok, type Result } from '../shared/errors';
import { describeIssues } from '../shared/protocol';
import { RelayEvent } from '../shared/protocol-events';
import { METHODS, isMethodName } from '../shared/protocol-methods';
import { METHOD_RESULTS_V1 } from '../shared/protocol-v1';
import type { RequestHandler } from './agent-session';
import { conversationIdsToLookUp, conversationToV1, errorToV1, eventToV1, isExpressibleInV1, messageToV1, v1Placeholder } from './domain/v1-encoding';
import type { StreamEntry } from './domain/visible-stream';
import type { Logger } from './log';
import type { StoredEvent } from './store/relay-store';

/** Reads a device's stream after a seq: the events its agent may see (v2 JSON) and fillers for the seqs between. */
export type EntryReader = (afterSeq: number, limit: number) => Promise<StreamEntry[]>;

/** The conversations with these ids, as they stand now; ids the relay does not hold are left out. */
export type ConversationLookup = (ids: readonly string[]) => Promise<readonly Conversation[]>;

/**
 * Events re-encoded for v1: one v1 event (or placeholder) per seq, so the stream stays gap-free. Fillers (seqs the
 * device may not see) are v1 placeholders already and go out as they are.
 */
export function v1EventReader(read: EntryReader, lookup: ConversationLookup, log: Logger): EntryReader {
  return async (afterSeq, limit) => {
    const entries = await read(afterSeq, limit);
    const parsed = entries.map((e) => (e.filler ? null : readStoredEvent(e, log)));
    const ids = conversationIdsToLookUp(parsed.filter((e) => e !== null));
    const conversations = new Map((ids.length === 0 ? [] : await lookup(ids)).map((c) => [c.id, c]));
    return entries.map((e, i) => {
      if (e.filler) return e;
      const event = parsed[i];
      const v1 = event === null || event === undefined ? v1Placeholder(e.seq) : eventToV1(e.seq, event, (id) => conversations.get(id));
      return { seq: e.seq, json: JSON.stringify(v1), filler: false };
    });
  };
}

/** A stored event the v2 schema cannot read (a bug, or a kind from a later relay) becomes a placeholder, not a gap. */
function readStoredEvent(stored: StoredEvent, log: Logger): RelayEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(stored.json);
  } catch {
    log.warn('v1.event_unreadable', { seq: stored.seq, reason: 'not JSON' });
    return null;
  }
  const parsed = RelayEvent.safeParse(json);
  if (parsed.success) return parsed.data;
  log.warn('v1.event_unreadable', { seq: stored.seq, reason: describeIssues(parsed.error) });
  return null;
}

const AboutConversation = z.looseObject({ conversationId: EntityId });

/**
 * Requests of a v1 device: v1's methods only; one about a conversation v1 cannot express answers `not_found` before
 * anything is done; results in v1's shapes; error codes in v1's set. One handler per session.
 */
export function v1RequestHandler(handle: RequestHandler, lookup: ConversationLookup): RequestHandler {
  // Conversations this session was already given: a customer with a phone number keeps it (a merge removes the
  // conversation instead, and the store then answers not_found), so they need no second lookup — a first sync's
  // history requests would otherwise each cost one.
  const given = new Set<string>();
  return async (context, method, params) => {
    if (!Object.hasOwn(METHOD_RESULTS_V1, method) || !isMethodName(method)) return fail('unknown_method', `unknown method '${method.slice(0, 64)}'`);
    const about = AboutConversation.safeParse(params);
    if (about.success && !given.has(about.data.conversationId)) {
      const [conversation] = await lookup([about.data.conversationId]);
      if (conversation !== undefined && !isExpressibleInV1(conversation)) return notFoundInV1();
    }
    const result = await handle(context, method, params);
    if (!result.ok) return err(errorToV1(result.error));
    const v1 = resultToV1(method, result.value);
    if (v1.ok) for (const id of conversationIdsIn(v1.value)) given.add(id);
    return v1;
  };
}

const GivenConversations = z.looseObject({
  conversations: z.array(z.looseObject({ id: z.string() })).optional(),
  conversation: z.looseObject({ id: z.string() }).optional(),
});

/** The conversations a v1 result handed over (each one v1 can express). */
function conversationIdsIn(value: unknown): string[] {
  const parsed = GivenConversations.safeParse(value);
  if (!parsed.success) return [];
  return [...(parsed.data.conversations ?? []), ...(parsed.data.conversation === undefined ? [] : [parsed.data.conversation])].map((c) => c.id);
}

function notFoundInV1(): Result<never> {
  return fail('not_found', 'no such conversation for a branchline.v1 console (update the console to see it)');
}

/** A method's v2 result in v1's shape; a conversation v1 cannot express is `not_found`, or left out of a list page. */
function resultToV1(method: keyof typeof METHODS, value: unknown): Result<unknown> {
  const fromV2 = <S extends z.ZodType>(schema: S): z.output<S> | null => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : null;
  };
  const unreadable = fail('internal', `the relay's ${method} result did not match protocol v2`, true);
  switch (method) {
    case 'messages.send': {
      const v2 = fromV2(METHODS[method].result);
      return v2 === null ? unreadable : ok({ message: messageToV1(v2.message) });
    }
    case 'messages.history': {
      const v2 = fromV2(METHODS[method].result);
      return v2 === null ? unreadable : ok({ messages: v2.messages.map(messageToV1), nextCursor: v2.nextCursor });
    }
    case 'conversations.list': {
      const v2 = fromV2(METHODS[method].result);
      if (v2 === null) return unreadable;
      // `total` stays the number the relay holds: an upper bound for v1, whose pages may come out shorter (even empty).
      const conversations = v2.conversations.flatMap((c) => conversationToV1(c) ?? []);
      return ok({ conversations, nextCursor: v2.nextCursor, total: v2.total, head: v2.head });
    }
    case 'messages.markRead':
    case 'conversations.linkCase':
    case 'conversations.assign': {
      const v2 = fromV2(METHODS[method].result);
      if (v2 === null) return unreadable;
      const conversation = conversationToV1(v2.conversation);
      return conversation === null ? notFoundInV1() : ok({ conversation });
    }
    case 'templates.list':
      return ok(value);
    case 'conversations.transfer':
    case 'directory.get':
      // Refused before they run (v1 had no such methods): here only so every method has its answer.
      return fail('unknown_method', `unknown method '${method}'`);
  }
}
