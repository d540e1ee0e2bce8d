// A window.branchline for unit tests: answers from handlers, records every call, and emits events on demand.
import {
  ConsoleError,
  type BranchlineApi,
  type ConsoleEvent,
  type ConsoleMethod,
  type EventPayload,
  type MethodInput,
  type MethodOutput,
} from '../../shared/contract';
import { createFakeClock, type FakeClock } from '../../shared/clock';
import type { ConversationSummary } from '../../shared/contract';
import type { Conversation, Message, MessageContent } from '../../shared/domain';
import type { StoreDeps } from '../store/app-state';

type Handler<M extends ConsoleMethod> = (input: MethodInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>>;
export type Handlers = { [M in ConsoleMethod]?: Handler<M> };

export interface FakeApi {
  api: BranchlineApi;
  calls: { method: ConsoleMethod; input: unknown }[];
  handlers: Handlers;
  emit<E extends ConsoleEvent>(event: E, payload: EventPayload<E>): void;
  callsTo(method: ConsoleMethod): unknown[];
}

export function createFakeApi(handlers: Handlers = {}): FakeApi {
  const listeners = new Map<ConsoleEvent, Set<(payload: unknown) => void>>();
  const calls: FakeApi['calls'] = [];
  const fake: FakeApi = {
    calls,
    handlers,
    api: new Proxy({} as BranchlineApi, {
      get(_target, property: string) {
        if (property === 'on') {
          return (event: ConsoleEvent, listener: (payload: unknown) => void) => {
            const set = listeners.get(event) ?? new Set();
            set.add(listener);
            listeners.set(event, set);
            return () => set.delete(listener);
          };
        }
        return async (input: unknown) => {
          calls.push({ method: property as ConsoleMethod, input });
          const handler = fake.handlers[property as ConsoleMethod] as ((input: unknown) => unknown) | undefined;
          if (handler === undefined) throw new ConsoleError('unknown_method', `no fake for ${property}`);
          return handler(input);
        };
      },
    }),
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    callsTo: (method) => calls.filter((c) => c.method === method).map((c) => c.input),
  };
  return fake;
}

export function fakeDeps(
  api: BranchlineApi,
  clock: FakeClock = createFakeClock(Date.UTC(2026, 2, 14, 10)),
): StoreDeps & { clock: FakeClock; revoked: string[] } {
  let next = 0;
  const revoked: string[] = [];
  return { api, clock, toObjectUrl: () => `blob:fake/${next++}`, revokeObjectUrl: (url) => void revoked.push(url), revoked };
}

/** Lets pending promise callbacks run (the fake API answers asynchronously, as the real one does). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => queueMicrotask(resolve));
}

export function conversation(id: string, patch: Partial<Conversation> = {}): Conversation {
  return {
    id,
    customer: { waId: '972541234567', name: `Customer ${id}` },
    assignedAgentId: null,
    lastInboundAt: Date.UTC(2026, 2, 14, 9),
    caseId: null,
    readUpTo: null,
    lastMessageAt: Date.UTC(2026, 2, 14, 9),
    createdAt: Date.UTC(2026, 2, 1),
    updatedAt: Date.UTC(2026, 2, 14, 9),
    ...patch,
  };
}

export function summary(id: string, patch: Partial<Conversation> = {}, extra: Partial<Omit<ConversationSummary, 'conversation'>> = {}): ConversationSummary {
  return { conversation: conversation(id, patch), preview: 'hello', previewDirection: 'in', unread: 0, hasDraft: false, ...extra };
}

export function message(id: string, patch: Partial<Message> = {}, content: MessageContent = { type: 'text', body: `text ${id}` }): Message {
  return {
    id,
    conversationId: 'c1',
    direction: 'in',
    content,
    status: 'delivered',
    failure: null,
    replyToId: null,
    senderAgentId: null,
    createdAt: Date.UTC(2026, 2, 14, 9),
    updatedAt: Date.UTC(2026, 2, 14, 9),
    ...patch,
  };
}
