// Protocol request methods: params parsed with the shared schema, the caller's right checked (need-to-know, ownership),
// then one store operation each; a refusal is `forbidden` (or `conflict`) in words an agent understands, storing nothing.
import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock';
import type { OutboundContent } from '../shared/domain';
import { fail, ok, type Result } from '../shared/errors';
import { describeIssues } from '../shared/protocol';
import { METHODS, isMethodName, type MethodName, type MethodParams } from '../shared/protocol-methods';
import type { RequestContext } from './agent-session';
import {
  audienceOf,
  decideAssign,
  decideMedia,
  decideRead,
  decideStart,
  decideTransfer,
  decideWork,
  type ConversationFacts,
  type WorkAction,
} from './domain/access';
import type { Logger } from './log';
import type { Actor, RelayStore } from './store/relay-store';
import type { WhatsAppProvider } from './whatsapp/provider';
import { needsPhoneNumber, type TemplateCache } from './whatsapp/template-cache';

export interface MethodDeps {
  store: RelayStore;
  provider: WhatsAppProvider;
  /** The approved templates, shared with the webhook route (which invalidates it when Meta reports a change). */
  templates: TemplateCache;
  /** The default business number: a conversation an agent starts by phone number leaves from it when it is their team's. */
  phoneNumberId: string;
  clock: Clock;
  log: Logger;
  /** Called after anything committed events or queued work. */
  onCommitted: () => void;
  onQueued: () => void;
}

const DEFAULT_PAGE = 100;

type Handler<M extends MethodName> = (context: RequestContext, params: MethodParams<M>) => Promise<Result<unknown>>;

export function createMethodHandler(deps: MethodDeps): (context: RequestContext, method: string, params: unknown) => Promise<Result<unknown>> {
  const { store } = deps;
  const actorOf = (context: RequestContext): Actor => ({ agentId: context.agent.id, source: context.source });
  const now = () => deps.clock.wallNow();

  /** The conversation's team and assignee (named, for the words of a refusal); null when there is none. */
  async function factsOf(conversationId: string, callerId: string): Promise<ConversationFacts | null> {
    const access = await store.conversationAccess(conversationId);
    if (access === null) return null;
    const assignee = access.assignedAgentId;
    // The name is read only when the words might need it: someone else has the conversation.
    const named = assignee === null || assignee === callerId ? null : await store.agentAccess(assignee);
    return { ...access, assignedAgent: named === null ? null : { id: named.id, name: named.name } };
  }

  /** Runs `then` when the caller may do `decide` on the conversation; otherwise the refusal, logged by ids only. */
  async function allowed(
    context: RequestContext,
    method: MethodName,
    conversationId: string,
    decide: (facts: ConversationFacts) => Result<void>,
    then: () => Promise<Result<unknown>>,
  ): Promise<Result<unknown>> {
    const facts = await factsOf(conversationId, context.agent.id);
    if (facts === null) return fail('not_found', 'conversation not found');
    const verdict = decide(facts);
    if (!verdict.ok) {
      deps.log.info('method.refused', { method, conversationId, code: verdict.error.code });
      return verdict;
    }
    return then();
  }

  const work = (context: RequestContext, method: MethodName, conversationId: string, action: WorkAction, then: () => Promise<Result<unknown>>) =>
    allowed(context, method, conversationId, (facts) => decideWork(context.agent, facts, action), then);

  /** A file in a message must be one the sender may see: their own upload or a file of their teams' conversations. */
  async function mediaRefusal(context: RequestContext, content: OutboundContent): Promise<Result<void>> {
    if (content.type !== 'image' && content.type !== 'document') return ok(undefined);
    const media = await store.mediaAccess(content.mediaId);
    if (media === null) return fail('not_found', 'no such media');
    return decideMedia(context.agent, media);
  }

  /** The number a conversation started by phone number leaves from: the default one if it is the caller's team's. */
  async function startingNumber(context: RequestContext): Promise<Result<string>> {
    const start = decideStart(context.agent);
    if (!start.ok) return start;
    const audience = audienceOf(context.agent);
    const numbers = (await store.listNumbers()).filter((n) => audience.includes(n.teamId));
    const number = numbers.find((n) => n.phoneNumberId === deps.phoneNumberId) ?? numbers[0];
    if (number === undefined) return fail('forbidden', 'None of your teams has a WhatsApp number to start a conversation from: ask an admin');
    return ok(number.phoneNumberId);
  }

  const send: Handler<'messages.send'> = async (context, params) => {
    const { content } = params;
    const media = await mediaRefusal(context, content);
    if (!media.ok) return media;
    const number = params.conversationId === undefined ? await startingNumber(context) : ok(deps.phoneNumberId);
    if (!number.ok) return number;
    const accept = async (): Promise<Result<unknown>> => {
      // The fingerprint covers what would reach the customer: a retry must be the same message.
      const requestHash = createHash('sha256')
        .update(JSON.stringify([params.conversationId ?? null, params.waId ?? null, params.content, params.replyToId ?? null]))
        .digest('hex');
      // Checked against the templates the console chose from (already cached): a send never waits on Meta's list.
      const phoneNumberOnly = content.type === 'template' && needsPhoneNumber(deps.templates.peek(), content.name, content.language);
      const result = await store.acceptSend({
        agentId: context.agent.id,
        params,
        requestHash,
        now: now(),
        phoneNumberId: number.value,
        phoneNumberOnly,
        source: context.source,
      });
      if (!result.ok) return result;
      deps.onCommitted();
      deps.onQueued();
      return ok({ message: result.value });
    };
    // By phone number the conversation is found or started by the store, which checks the sender's right itself.
    return params.conversationId === undefined ? accept() : work(context, 'messages.send', params.conversationId, 'send', accept);
  };

  const handlers: { [M in MethodName]: Handler<M> } = {
    'messages.send': send,
    'messages.markRead': (context, params) =>
      work(context, 'messages.markRead', params.conversationId, 'markRead', async () => {
        const result = await store.markRead(params.conversationId, params.upToMessageId, now(), actorOf(context));
        if (!result.ok) return result;
        deps.onCommitted();
        const { wamid, phoneNumberId } = result.value;
        if (wamid !== null) {
          // Blue ticks are a courtesy: a failure is logged, never turned into an error for the agent.
          void deps.provider.markRead(wamid, phoneNumberId).then((r) => {
            if (!r.ok) deps.log.warn('whatsapp.mark_read_failed', { reason: r.error.message, metaCode: r.error.metaCode });
          });
        }
        return ok({ conversation: result.value.conversation });
      }),
    'messages.history': (context, params) =>
      allowed(
        context,
        'messages.history',
        params.conversationId,
        (facts) => decideRead(context.agent, facts),
        async () => {
          const result = await store.history(params.conversationId, params.cursor, params.limit ?? DEFAULT_PAGE);
          if (!result.ok) return result;
          await store.appendAudit({
            at: now(),
            action: 'messages.history',
            actorId: context.agent.id,
            source: context.source,
            conversationId: params.conversationId,
            detail: { deviceId: context.deviceId, messages: result.value.items.length, older: params.cursor !== undefined },
          });
          return ok({ messages: result.value.items, nextCursor: result.value.nextCursor });
        },
      ),
    'conversations.list': async (context, params) => {
      // Only the caller's teams' conversations, and `total` counts only those (an admin's list is empty).
      const result = await store.listConversations(params.cursor, params.limit ?? DEFAULT_PAGE, audienceOf(context.agent));
      if (!result.ok) return result;
      const { items, nextCursor, total, head } = result.value;
      await store.appendAudit({
        at: now(),
        action: 'conversations.list',
        actorId: context.agent.id,
        source: context.source,
        detail: { deviceId: context.deviceId, conversations: items.length, firstPage: params.cursor === undefined },
      });
      return ok({ conversations: items, nextCursor, total, head });
    },
    'conversations.linkCase': (context, params) =>
      work(context, 'conversations.linkCase', params.conversationId, 'linkCase', async () => {
        const result = await store.linkCase(params.conversationId, params.caseId, now(), actorOf(context));
        if (!result.ok) return result;
        deps.onCommitted();
        return ok({ conversation: result.value });
      }),
    'conversations.assign': async (context, params) => {
      const target = params.agentId === null ? null : await store.agentAccess(params.agentId);
      const assignee = target === null ? null : { ...target, teamIds: target.teams.map((t) => t.id), active: target.revokedAt === null };
      const request = { agentId: params.agentId, takeOver: params.takeOver === true };
      return allowed(
        context,
        'conversations.assign',
        params.conversationId,
        (facts) => decideAssign(context.agent, facts, request, assignee),
        async () => {
          const result = await store.assign(params.conversationId, params.agentId, now(), { actor: actorOf(context), takeOver: request.takeOver });
          if (!result.ok) return result;
          deps.onCommitted();
          return ok({ conversation: result.value });
        },
      );
    },
    'conversations.transfer': async (context, params) => {
      const team = (await store.listTeams()).find((t) => t.id === params.teamId) ?? null;
      return allowed(
        context,
        'conversations.transfer',
        params.conversationId,
        (facts) => decideTransfer(context.agent, facts, team === null ? null : { id: team.id, name: team.name }, params.teamId),
        async () => {
          const result = await store.transfer(params.conversationId, params.teamId, now(), actorOf(context));
          if (!result.ok) return result;
          deps.onCommitted();
          return ok({ conversation: result.value });
        },
      );
    },
    'directory.get': async (context) => {
      const directory = await store.directory(context.agent.id);
      return directory === null ? fail('unauthorized', 'this agent is no longer active') : ok(directory);
    },
    'templates.list': async () => {
      const fetched = await deps.templates.list();
      if (!fetched.ok) return fail('unavailable', `could not load templates from WhatsApp: ${fetched.error.message}`, true);
      return ok({ templates: fetched.value });
    },
  };

  return async (context, method, params) => {
    if (!isMethodName(method)) return fail('unknown_method', `unknown method '${method.slice(0, 64)}'`);
    const parsed = METHODS[method].params.safeParse(params);
    if (!parsed.success) return fail('invalid_input', `${method}: ${describeIssues(parsed.error)}`);
    const handler = handlers[method] as (context: RequestContext, params: unknown) => Promise<Result<unknown>>;
    return handler(context, parsed.data);
  };
}
