// What a v1 console receives for each thing a v2 relay holds: v1 shapes it can parse, or a placeholder it ignores.
import { describe, expect, it } from 'vitest';
import type { Conversation, MessageContent } from '../shared/domain';
import { ok, type Result } from '../shared/errors';
import { RelayEvent } from '../shared/protocol-events';
import { METHOD_RESULTS_V1, MessageContentV1, RelayEventV1, WireErrorV1 } from '../shared/protocol-v1';
import {
  contentToV1,
  conversationToV1,
  errorToV1,
  eventToV1,
  isExpressibleInV1,
  messageToV1,
  V1_PLACEHOLDER_PREFIX,
  v1Placeholder,
} from './domain/v1-encoding';
import type { RequestContext } from './agent-session';
import { placeholderGap } from './domain/visible-stream';
import { silentLogger } from './log';
import { v1EventReader, v1RequestHandler, type ConversationLookup } from './protocol-v1-encoder';
import type { StoredEvent } from './store/relay-store';
import { CONVERSATIONS, EVENTS, HELD_CONVERSATIONS, HELD_MESSAGES, IDS, MESSAGES } from './test-support/v2-fixtures';

const held = new Map(HELD_CONVERSATIONS.map((c) => [c.id, c]));
const conversationOf = (id: string): Conversation | undefined => held.get(id);

describe('content for v1', () => {
  const media = { mediaId: 'm-1', mimeType: 'image/jpeg' };
  it.each<[string, MessageContent]>([
    ['text', { type: 'text', body: 'hello' }],
    ['image', { type: 'image', ...media, caption: 'receipt' }],
    ['audio', { type: 'audio', ...media, mimeType: 'audio/ogg', voice: true }],
    ['location', { type: 'location', latitude: 32.08, longitude: 34.78, name: 'Branch' }],
    ['reaction', { type: 'reaction', emoji: '👍', targetMessageId: null }],
    ['template', { type: 'template', name: 'branch_follow_up', language: 'en_US', parameters: ['Dana'] }],
    ['button_reply', { type: 'button_reply', text: 'Yes', payload: 'yes' }],
    ['unsupported', { type: 'unsupported', waType: 'ephemeral' }],
  ])('keeps %s as it is', (_type, content) => {
    expect(contentToV1(content)).toEqual(content);
    expect(MessageContentV1.safeParse(contentToV1(content)).success).toBe(true);
  });

  it.each<[MessageContent, string]>([
    [MESSAGES.contactCard.content, 'contacts'],
    [MESSAGES.order.content, 'order'],
    [MESSAGES.flowReply.content, 'interactive_reply'],
    [MESSAGES.chatOpened.content, 'system'],
    [{ type: 'deleted' }, 'deleted'],
  ])('turns a newer kind into unsupported, named by its type (%#)', (content, waType) => {
    expect(contentToV1(content)).toEqual({ type: 'unsupported', waType });
  });
});

describe('conversations v1 can express', () => {
  it.each<[string, Conversation, boolean]>([
    ['a phone number', CONVERSATIONS.dana, true],
    ['a phone number and a BSUID', CONVERSATIONS.both, true],
    ['a BSUID only', CONVERSATIONS.bsuidOnly, false],
    ['a group', CONVERSATIONS.group, false],
    ['a group whose id came with a phone number', { ...CONVERSATIONS.group, customer: CONVERSATIONS.dana.customer }, false],
    ['an old producer (no group, bsuid or username field)', CONVERSATIONS.merged, true],
  ])('%s: %s', (_what, conversation, expressible) => {
    expect(isExpressibleInV1(conversation)).toBe(expressible);
    expect(conversationToV1(conversation) !== null).toBe(expressible);
  });

  it('keeps the phone number and the name where v1 has them', () => {
    expect(conversationToV1(CONVERSATIONS.both)).toMatchObject({ id: IDS.both, customer: { waId: '972541000003', name: 'Avi' } });
  });
});

describe('events for a v1 device', () => {
  const encoded = EVENTS.map((event, i) => eventToV1(i + 1, event, conversationOf));

  it('are all readable by a v1 console', () => {
    for (const [i, event] of encoded.entries()) expect(RelayEventV1.safeParse(event).success, `event ${i + 1}`).toBe(true);
  });

  it('carry an edit and a deletion as a new copy of the same message', () => {
    expect(eventToV1(12, { kind: 'message.updated', message: MESSAGES.edited }, conversationOf)).toMatchObject({
      kind: 'message.created',
      message: { id: MESSAGES.original.id, content: { type: 'text', body: 'My account is 12-345-679' } },
    });
    const deleted = eventToV1(14, { kind: 'message.updated', message: MESSAGES.deleted }, conversationOf);
    expect(deleted).toMatchObject({ kind: 'message.created', message: { id: MESSAGES.mistaken.id, content: { type: 'unsupported', waType: 'deleted' } } });
    expect(JSON.stringify(deleted), 'the deleted text is not sent').not.toContain('4580');
  });

  it('replace what v1 cannot express with a placeholder that names no real message or conversation', () => {
    const inexpressible = [
      { kind: 'message.created', message: MESSAGES.bsuidText },
      { kind: 'conversation.upserted', conversation: CONVERSATIONS.bsuidOnly },
      { kind: 'message.created', message: MESSAGES.groupText },
      { kind: 'conversation.upserted', conversation: CONVERSATIONS.group },
      { kind: 'message.status', messageId: MESSAGES.bsuidReply.id, conversationId: IDS.bsuidOnly, status: 'read', failure: null, at: 1 },
      { kind: 'conversation.removed', conversationId: IDS.merged, mergedInto: IDS.both },
      // A message of a conversation the relay no longer holds.
      { kind: 'message.created', message: { ...MESSAGES.danaText, conversationId: IDS.merged } },
    ] as const;
    for (const [i, event] of inexpressible.entries()) {
      const v1 = eventToV1(100 + i, event, conversationOf);
      expect(v1, event.kind).toEqual(v1Placeholder(100 + i));
      expect(JSON.stringify(v1)).not.toMatch(/019ae000/);
    }
    expect(v1Placeholder(7)).toEqual({
      kind: 'message.status',
      messageId: `${V1_PLACEHOLDER_PREFIX}7`,
      conversationId: `${V1_PLACEHOLDER_PREFIX}7`,
      status: 'pending',
      failure: null,
      at: 0,
    });
  });

  it('follow a message to its conversation as it stands now: a customer whose number became known gets the history', () => {
    const linked = new Map<string, Conversation>([
      [IDS.bsuidOnly, { ...CONVERSATIONS.bsuidOnly, customer: { ...CONVERSATIONS.bsuidOnly.customer, waId: '972541000010' } }],
    ]);
    expect(eventToV1(3, { kind: 'message.created', message: MESSAGES.bsuidText }, (id) => linked.get(id))).toEqual({
      kind: 'message.created',
      message: messageToV1(MESSAGES.bsuidText),
    });
  });

  it('pass a status of a v1 conversation unchanged', () => {
    const status = { kind: 'message.status', messageId: MESSAGES.danaText.id, conversationId: IDS.dana, status: 'read', failure: null, at: 5 } as const;
    expect(eventToV1(9, status, conversationOf)).toEqual(status);
  });
});

describe('errors for a v1 device', () => {
  it('keep the codes v1 knows and turn a later one into internal, naming it', () => {
    expect(errorToV1({ code: 'not_found', message: 'no such conversation', retryable: false })).toEqual({
      code: 'not_found',
      message: 'no such conversation',
      retryable: false,
    });
    const later = errorToV1({ code: 'group_send_unsupported' as never, message: 'groups cannot be sent to', retryable: false });
    expect(later).toEqual({ code: 'internal', message: 'group_send_unsupported: groups cannot be sent to', retryable: false });
    expect(WireErrorV1.safeParse(later).success).toBe(true);
  });
});

describe('the v1 event reader', () => {
  const log: StoredEvent[] = EVENTS.map((event, i) => ({ seq: i + 1, json: JSON.stringify(event) }));
  const lookups: string[][] = [];
  const lookup: ConversationLookup = async (ids) => {
    lookups.push([...ids]);
    return HELD_CONVERSATIONS.filter((c) => ids.includes(c.id));
  };
  const read = v1EventReader(
    async (after, limit) =>
      log
        .filter((e) => e.seq > after)
        .slice(0, limit)
        .map((e) => ({ ...e, filler: false })),
    lookup,
    silentLogger,
  );

  it('gives one v1 event per stored event, same seqs, looking conversations up once per batch', async () => {
    lookups.length = 0;
    const events = await read(0, 500);
    expect(events.map((e) => e.seq)).toEqual(log.map((e) => e.seq));
    for (const e of events) expect(RelayEventV1.safeParse(JSON.parse(e.json)).success, `seq ${e.seq}`).toBe(true);
    expect(lookups).toHaveLength(1);
    expect(new Set(lookups[0])).toEqual(new Set([IDS.dana, IDS.bsuidOnly, IDS.group, IDS.both]));
  });

  it('sends the very same events again on a replay', async () => {
    expect(await read(5, 500)).toEqual((await read(0, 500)).slice(5));
  });

  it('turns a stored event it cannot read into a placeholder, not a gap', async () => {
    const broken = v1EventReader(
      async () => [
        { seq: 1, json: '{"kind":"message.forwarded","id":"x"}', filler: false },
        { seq: 2, json: 'not json', filler: false },
      ],
      lookup,
      silentLogger,
    );
    expect((await broken(0, 10)).map((e) => JSON.parse(e.json))).toEqual([v1Placeholder(1), v1Placeholder(2)]);
  });

  it('sends the fillers for seqs the device may not see as they are, looking nothing up for them', async () => {
    lookups.length = 0;
    const seen = v1EventReader(async () => placeholderGap(1, 3, 10), lookup, silentLogger);
    expect((await seen(0, 10)).map((e) => JSON.parse(e.json))).toEqual([v1Placeholder(1), v1Placeholder(2), v1Placeholder(3)]);
    expect(lookups).toEqual([]);
  });
});

describe('the v1 request handler', () => {
  const lookup: ConversationLookup = async (ids) => HELD_CONVERSATIONS.filter((c) => ids.includes(c.id));
  const asked: string[] = [];
  const v2Results: Record<string, unknown> = {
    'messages.send': { message: MESSAGES.contactCard },
    'messages.history': { messages: HELD_MESSAGES.filter((m) => m.conversationId === IDS.dana), nextCursor: null },
    'conversations.list': { conversations: HELD_CONVERSATIONS, nextCursor: 'c-2', total: 40, head: 19 },
    'conversations.assign': { conversation: CONVERSATIONS.dana },
    'templates.list': { templates: [{ name: 't', language: 'en', category: 'UTILITY', body: 'Hi {{1}}', parameterCount: 1 }] },
  };
  const handle = v1RequestHandler(async (_agent, method): Promise<Result<unknown>> => {
    asked.push(method);
    return ok(v2Results[method]);
  }, lookup);
  const ana: RequestContext = {
    agent: { id: 'ana', name: 'Ana', role: 'agent', teams: [{ id: 'main', name: 'Main' }], accessVersion: 1, revokedAt: null },
    deviceId: 'dev-1',
    source: '127.0.0.1',
  };

  it.each(Object.keys(v2Results))('answers %s in v1 shapes', async (method) => {
    const result = await handle(ana, method, { conversationId: IDS.dana });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(METHOD_RESULTS_V1[method as keyof typeof METHOD_RESULTS_V1].safeParse(result.value).success).toBe(true);
  });

  it('leaves conversations v1 cannot express out of a list page, keeping the cursor and the total', async () => {
    const result = await handle(ana, 'conversations.list', {});
    expect(result.ok && result.value).toMatchObject({ nextCursor: 'c-2', total: 40, head: 19 });
    const ids = result.ok ? METHOD_RESULTS_V1['conversations.list'].parse(result.value).conversations.map((c) => c.id) : [];
    expect(ids).toEqual([IDS.dana, IDS.both]);
  });

  it('answers not_found about a conversation v1 cannot express, before doing anything', async () => {
    for (const conversationId of [IDS.bsuidOnly, IDS.group]) {
      asked.length = 0;
      const result = await handle(ana, 'conversations.assign', { conversationId, agentId: 'ana' });
      expect(result.ok === false && result.error.code).toBe('not_found');
      expect(asked, 'the assignment was never made').toEqual([]);
    }
  });

  it('looks up a conversation only once it has not handed it over already (a first sync pages the list, then each history)', async () => {
    const looked: string[] = [];
    const counting = v1RequestHandler(
      async (_agent, method) => ok(v2Results[method]),
      async (ids) => {
        looked.push(...ids);
        return HELD_CONVERSATIONS.filter((c) => ids.includes(c.id));
      },
    );
    await counting(ana, 'conversations.list', {});
    await counting(ana, 'messages.history', { conversationId: IDS.dana });
    await counting(ana, 'messages.history', { conversationId: IDS.both });
    expect(looked).toEqual([]);
    const refused = await counting(ana, 'messages.history', { conversationId: IDS.group });
    expect(refused.ok === false && refused.error.code).toBe('not_found');
    expect(looked).toEqual([IDS.group]);
  });

  it('refuses a method v1 never had', async () => {
    const result = await handle(ana, 'conversations.remove', {});
    expect(result.ok === false && result.error.code).toBe('unknown_method');
  });
});

it('the fixtures are valid v2 events', () => {
  for (const event of EVENTS) expect(RelayEvent.safeParse(event).success).toBe(true);
});
