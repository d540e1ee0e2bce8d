// Protocol request methods: parse the params with the shared schema, then one store operation each.
import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock';
import { fail, ok, type Result } from '../shared/errors';
import { describeIssues } from '../shared/protocol';
import { METHODS, isMethodName, type MethodName, type MethodParams } from '../shared/protocol-methods';
import type { Logger } from './log';
import type { Agent, RelayStore } from './store/relay-store';
import type { WhatsAppProvider } from './whatsapp/provider';
import { needsPhoneNumber, type TemplateCache } from './whatsapp/template-cache';

export interface MethodDeps {
  store: RelayStore;
  provider: WhatsAppProvider;
  /** The approved templates, shared with the webhook route (which invalidates it when Meta reports a change). */
  templates: TemplateCache;
  /** Our business number: a conversation the agent starts by phone number starts from it. */
  phoneNumberId: string;
  clock: Clock;
  log: Logger;
  /** Called after anything committed events or queued work. */
  onCommitted: () => void;
  onQueued: () => void;
}

const DEFAULT_PAGE = 100;

export function createMethodHandler(deps: MethodDeps): (agent: Agent, method: string, params: unknown) => Promise<Result<unknown>> {
  const handlers: { [M in MethodName]: (agent: Agent, params: MethodParams<M>) => Promise<Result<unknown>> } = {
    'messages.send': async (agent, params) => {
      // The fingerprint covers what would reach the customer: a retry must be the same message.
      const requestHash = createHash('sha256')
        .update(JSON.stringify([params.conversationId ?? null, params.waId ?? null, params.content, params.replyToId ?? null]))
        .digest('hex');
      const { content } = params;
      // Checked against the templates the console chose from (already cached): a send never waits on Meta's list.
      const phoneNumberOnly = content.type === 'template' && needsPhoneNumber(deps.templates.peek(), content.name, content.language);
      const result = await deps.store.acceptSend({
        agentId: agent.id,
        params,
        requestHash,
        now: deps.clock.wallNow(),
        phoneNumberId: deps.phoneNumberId,
        phoneNumberOnly,
      });
      if (result.ok) {
        deps.onCommitted();
        deps.onQueued();
        return ok({ message: result.value });
      }
      return result;
    },
    'messages.markRead': async (_agent, params) => {
      const result = await deps.store.markRead(params.conversationId, params.upToMessageId, deps.clock.wallNow());
      if (!result.ok) return result;
      deps.onCommitted();
      const { wamid } = result.value;
      if (wamid !== null) {
        // Blue ticks are a courtesy: a failure is logged, never turned into an error for the agent.
        void deps.provider.markRead(wamid).then((r) => {
          if (!r.ok) deps.log.warn('whatsapp.mark_read_failed', { reason: r.error.message, metaCode: r.error.metaCode });
        });
      }
      return ok({ conversation: result.value.conversation });
    },
    'messages.history': async (_agent, params) => {
      const result = await deps.store.history(params.conversationId, params.cursor, params.limit ?? DEFAULT_PAGE);
      return result.ok ? ok({ messages: result.value.items, nextCursor: result.value.nextCursor }) : result;
    },
    'conversations.list': async (_agent, params) => {
      const result = await deps.store.listConversations(params.cursor, params.limit ?? DEFAULT_PAGE);
      if (!result.ok) return result;
      const { items, nextCursor, total, head } = result.value;
      return ok({ conversations: items, nextCursor, total, head });
    },
    'conversations.linkCase': async (_agent, params) => {
      const result = await deps.store.linkCase(params.conversationId, params.caseId, deps.clock.wallNow());
      if (!result.ok) return result;
      deps.onCommitted();
      return ok({ conversation: result.value });
    },
    'conversations.assign': async (_agent, params) => {
      const result = await deps.store.assign(params.conversationId, params.agentId, deps.clock.wallNow());
      if (!result.ok) return result;
      deps.onCommitted();
      return ok({ conversation: result.value });
    },
    'templates.list': async () => {
      const fetched = await deps.templates.list();
      if (!fetched.ok) return fail('unavailable', `could not load templates from WhatsApp: ${fetched.error.message}`, true);
      return ok({ templates: fetched.value });
    },
  };

  return async (agent, method, params) => {
    if (!isMethodName(method)) return fail('unknown_method', `unknown method '${method.slice(0, 64)}'`);
    const parsed = METHODS[method].params.safeParse(params);
    if (!parsed.success) return fail('invalid_input', `${method}: ${describeIssues(parsed.error)}`);
    const handler = handlers[method] as (agent: Agent, params: unknown) => Promise<Result<unknown>>;
    return handler(agent, parsed.data);
  };
}
