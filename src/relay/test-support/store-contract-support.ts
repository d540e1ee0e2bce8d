// What every part of the store contract suite shares: a fresh store per test, a branch set-up, and builders for
// webhook deliveries and sends written against the RelayStore port alone (no SQL), so the suite runs on any database.
import { afterEach, beforeEach } from 'vitest';
import type { MethodParams } from '../../shared/protocol-methods';
import { RelayEvent } from '../../shared/protocol-events';
import { uuidv7 } from '../../shared/uuidv7';
import type { InboundContent, InboundItem, StatusItem, UserRef, WebhookBatch } from '../domain/webhook-types';
import type { RelayStore } from '../store/relay-store';

/** Opens a new, empty store (schema current, team `main` only, no numbers): each test gets its own. */
export type OpenStore = () => Promise<{ store: RelayStore; close(): Promise<void> }>;

export const MAIN_NUMBER = '106540352242922';
export const NORTH_NUMBER = '106540352242999';
export const T0 = Date.UTC(2026, 3, 1, 9);
export const HOUR = 60 * 60 * 1000;

/** Registers a fresh store for each test of the enclosing describe; the getter returns the current one. */
export function useStore(open: OpenStore): () => RelayStore {
  let opened: { store: RelayStore; close(): Promise<void> } | null = null;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    await opened?.close();
    opened = null;
  });
  return () => {
    if (opened === null) throw new Error('the store is used outside a test');
    return opened.store;
  };
}

/**
 * Two branches: main (number MAIN_NUMBER; agent ana) and north (NORTH_NUMBER, "North branch"; agents noa and tal),
 * sara supervising both, ido an admin of none.
 */
export async function seedBranches(store: RelayStore): Promise<void> {
  must(await store.addTeam('north', 'North branch', T0));
  must(await store.addNumber({ phoneNumberId: MAIN_NUMBER, teamId: 'main', display: null }, T0));
  must(await store.addNumber({ phoneNumberId: NORTH_NUMBER, teamId: 'north', display: '+15550001111' }, T0));
  must(await store.addAgent('ana', 'Ana Cohen', 'h-ana', T0));
  must(await store.addAgent('noa', 'Noa Katz', 'h-noa', T0, { teams: ['north'] }));
  must(await store.addAgent('tal', 'Tal North', 'h-tal', T0, { teams: ['north'] }));
  must(await store.addAgent('sara', 'Sara Levi', 'h-sara', T0, { teams: ['main', 'north'], role: 'supervisor' }));
  must(await store.addAgent('ido', 'Ido Admin', 'h-ido', T0, { teams: [], role: 'admin' }));
}

function must<T extends { ok: boolean }>(result: T): T {
  if (!result.ok) throw new Error(`set-up failed: ${JSON.stringify(result)}`);
  return result;
}

export const person = (waId: string | null, bsuid: string | null = null, profileName: string | null = null): UserRef => ({
  waId,
  bsuid,
  username: null,
  profileName,
});

export function batch(parts: Partial<WebhookBatch>): WebhookBatch {
  return { messages: [], revisions: [], statuses: [], accountEvents: [], errors: [], skipped: [], ...parts };
}

export function inbound(
  from: UserRef,
  wamid: string,
  options: { at?: number; phoneNumberId?: string; content?: InboundContent; contextWamid?: string; groupId?: string } = {},
): InboundItem {
  return {
    wamid,
    from,
    timestamp: options.at ?? T0,
    content: options.content ?? { type: 'text', body: 'Hello, is my card ready?' },
    contextWamid: options.contextWamid ?? null,
    phoneNumberId: options.phoneNumberId ?? MAIN_NUMBER,
    groupId: options.groupId ?? null,
  };
}

export function status(wamid: string, value: StatusItem['status'], options: { at?: number; bizOpaque?: string; to?: UserRef } = {}): StatusItem {
  return {
    wamid,
    status: value,
    timestamp: options.at ?? T0,
    recipient: options.to ?? person('972541234567'),
    failure: value === 'failed' ? { code: 'undeliverable', message: 'Re-engagement message', metaCode: 131047 } : null,
    bizOpaque: options.bizOpaque ?? null,
    phoneNumberId: MAIN_NUMBER,
  };
}

/** An event as devices get it: the stored JSON must be a valid protocol event (it goes on the wire as stored). */
export const decode = (json: string): RelayEvent => RelayEvent.parse(JSON.parse(json));

export async function events(store: RelayStore, afterSeq = 0): Promise<(RelayEvent & { seq: number })[]> {
  return (await store.readEvents(afterSeq, 1000)).map((e) => ({ ...decode(e.json), seq: e.seq }));
}

export async function kindsFor(store: RelayStore, teams: readonly string[], afterSeq = 0): Promise<string[]> {
  return (await store.readEventsFor(teams, afterSeq, 1000)).events.map((e) => decode(e.json).kind);
}

/** A customer writes (once per wamid); returns the conversation it was filed in, as the log announced it. */
export async function customerWrites(
  store: RelayStore,
  waId: string,
  wamid: string,
  options: { at?: number; phoneNumberId?: string; content?: InboundContent; contextWamid?: string; name?: string } = {},
): Promise<string> {
  const head = await store.head();
  await store.recordWebhook(batch({ messages: [inbound(person(waId, null, options.name ?? null), wamid, options)] }), options.at ?? T0);
  const created = (await events(store, head)).find((e) => e.kind === 'message.created');
  if (created?.kind !== 'message.created') throw new Error(`the message ${wamid} was not announced`);
  return created.message.conversationId;
}

export interface SendOptions {
  readonly clientMessageId?: string;
  readonly content?: MethodParams<'messages.send'>['content'];
  readonly now?: number;
  readonly requestHash?: string;
  readonly phoneNumberId?: string;
  readonly phoneNumberOnly?: boolean;
  readonly replyToId?: string;
}

/** An agent's send into a conversation (or, with `waId:`, to a customer by number). */
export function send(store: RelayStore, agentId: string, to: string, options: SendOptions = {}) {
  const clientMessageId = options.clientMessageId ?? uuidv7();
  const target = to.startsWith('waId:') ? { waId: to.slice(5) } : { conversationId: to };
  const content = options.content ?? { type: 'text', body: 'Your card is ready' };
  return store.acceptSend({
    agentId,
    params: { clientMessageId, ...target, content, ...(options.replyToId !== undefined && { replyToId: options.replyToId }) },
    requestHash: options.requestHash ?? `hash-${clientMessageId}`,
    now: options.now ?? T0 + 1000,
    phoneNumberId: options.phoneNumberId ?? MAIN_NUMBER,
    phoneNumberOnly: options.phoneNumberOnly ?? false,
    source: '10.0.0.7',
  });
}

export const TEMPLATE = { type: 'template' as const, name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl St.'] };
export const at = (agentId: string, source = '10.0.0.9') => ({ agentId, source });
