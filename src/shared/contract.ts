// The console service contract: every method the UI may call and every event it receives, with schemas.
// Electron's IPC bridge, the web preview's WebSocket and the renderer's types all derive from this one table.
import { z } from 'zod';
import type { ErrorCode } from './errors';
import { ConnectionState, SyncProgress } from './contract-connection';
import { AgentRef, CaseId, Conversation, Customer, EntityId, MAX_TEXT_LENGTH, Message, Role, TeamRef, Template, TemplateFields, WaId } from './domain';
import { METHODS } from './protocol-methods';

export { CONNECTION_DETAIL_CODES, ConnectionDetail, ConnectionDetailCode, ConnectionState, ConnectionStatus, SyncProgress } from './contract-connection';

/** A conversation as the list shows it. */
export const ConversationSummary = z.object({
  conversation: Conversation,
  preview: z.string().max(200).nullable(),
  previewDirection: z.enum(['in', 'out']).nullable(),
  unread: z.number().int().nonnegative(),
  hasDraft: z.boolean(),
  /** Who sent the last message when it is outbound (this agent or a colleague); absent or null when unknown. */
  previewSender: AgentRef.nullable().optional(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const ConversationFilter = z.enum(['all', 'mine', 'unassigned', 'unread']);
export type ConversationFilter = z.infer<typeof ConversationFilter>;

export const SearchHit = z.object({
  conversationId: EntityId,
  /** The message that matched; null when the customer's name, username, BSUID or number (or a group's subject) matched. */
  messageId: EntityId.nullable(),
  /** Who the conversation is with, as the list shows them (a customer may have no phone number, a group has none). */
  customer: Customer,
  group: Conversation.shape.group,
  /** Text around the match; the matched words are wrapped in \u0001 … \u0002 markers. */
  snippet: z.string().max(400),
  at: z.number().int().nullable(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const NotificationPrivacy = z.enum(['show', 'hide', 'off']);
export const Theme = z.enum(['system', 'light', 'dark']);

export const Settings = z.object({
  notificationPrivacy: NotificationPrivacy,
  sounds: z.boolean(),
  closeToTray: z.boolean(),
  theme: Theme,
});
export type Settings = z.infer<typeof Settings>;

/** Who is signed in, with what the relay lets them see and do (from its hello; a cache from before need-to-know says 'agent'). */
export const SessionAgent = z.object({ id: z.string(), name: z.string(), role: Role, teams: z.array(TeamRef) });
export type SessionAgent = z.infer<typeof SessionAgent>;

export const Session = z.object({
  signedIn: z.boolean(),
  relayUrl: z.string().nullable(),
  agent: SessionAgent.nullable(),
  /** IT fixed the relay URL by machine policy: the login screen does not offer to change it. */
  relayUrlLocked: z.boolean(),
  /**
   * The device session ended and could not be refreshed (expired, revoked, refresh refused): the agent must sign in
   * again; what they queued stays queued and goes once they have. False while signed in or after a sign-out.
   */
  signInAgain: z.boolean(),
});
export type Session = z.infer<typeof Session>;

/** How a relay lets agents sign in (its GET /v1/auth/config; a relay from before sessions offers the token only). */
export const AuthMethods = z.object({ sso: z.boolean(), token: z.boolean(), ssoIssuer: z.string().nullable() });
export type AuthMethods = z.infer<typeof AuthMethods>;

/** How a single sign-on attempt that was handed to the browser ended. */
export const SsoOutcome = z.object({ ok: z.boolean(), code: z.string().nullable(), message: z.string().nullable() });
export type SsoOutcome = z.infer<typeof SsoOutcome>;

/** A relay address as agents may type it: ws(s):// or http(s)://, no credentials in it. */
export const RelayUrl = z
  .string()
  .max(2_000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return ['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol) && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'the relay address must be a ws://, wss://, http:// or https:// URL');

/** What IT and the agent should know about this desktop: a broken policy, a token kept without OS protection, a pending update. */
export const AppStatus = z.object({
  version: z.string(),
  policyProblems: z.array(z.object({ key: z.string(), message: z.string() })),
  /** 'memory_only': no OS keyring (Linux basic_text): the token is kept for this session only. */
  tokenStorage: z.enum(['secure', 'memory_only']),
  /** IT fixed the notification privacy by policy. */
  notificationPrivacyLocked: z.boolean(),
  updateReady: z.boolean(),
});
export type AppStatus = z.infer<typeof AppStatus>;

/** The relay's directory.get answer and when it was fetched (the copy kept for offline use may be older). */
export const Directory = METHODS['directory.get'].result.extend({ fetchedAt: z.number().int() });
export type Directory = z.infer<typeof Directory>;

const ConversationRef = z.object({ conversationId: EntityId });
const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

export const CONSOLE_METHODS = {
  'session.get': { input: Empty, output: Session },
  'session.signIn': { input: z.object({ relayUrl: RelayUrl, token: z.string().min(8).max(512) }), output: Session },
  /** What the relay at this address accepts: single sign-on, the agent token, or both. */
  'session.authMethods': { input: z.object({ relayUrl: RelayUrl }).strict(), output: AuthMethods },
  /**
   * Starts single sign-on: the provider's page is opened in the system browser (`opened` true) or, in the web preview,
   * the UI navigates to `authorizationUrl` itself (`opened` false). The outcome arrives as `session.sso`, then
   * `session.changed` when it succeeded.
   */
  'session.ssoStart': { input: z.object({ relayUrl: RelayUrl }).strict(), output: z.object({ authorizationUrl: z.string().url(), opened: z.boolean() }) },
  /** The agent gave up waiting for the browser: the pending sign-on is dropped (a late answer is refused). */
  'session.ssoCancel': { input: Empty, output: Ok },
  /** Wipes the agent's cache; `queued`: their unsent messages go when they sign in again (keep, the default) or are deleted. */
  'session.signOut': { input: z.object({ queued: z.enum(['keep', 'discard']).optional() }).strict(), output: Session },

  'connection.get': { input: Empty, output: ConnectionState },
  /** Skip the backoff wait and try the relay now. */
  'connection.retryNow': { input: Empty, output: Ok },
  'sync.get': { input: Empty, output: SyncProgress },

  'conversations.list': {
    input: z.object({ filter: ConversationFilter, limit: z.number().int().min(1).max(5_000), offset: z.number().int().min(0).max(1_000_000) }),
    output: z.object({ items: z.array(ConversationSummary), total: z.number().int() }),
  },
  'conversations.get': { input: ConversationRef, output: ConversationSummary },
  'conversations.search': {
    input: z.object({ query: z.string().min(1).max(200), limit: z.number().int().min(1).max(200) }),
    output: z.object({ hits: z.array(SearchHit) }),
  },
  'conversations.linkCase': { input: z.object({ conversationId: EntityId, caseId: CaseId.nullable() }), output: Ok },
  /**
   * Take the conversation (true) or release it to its team (false). Taking one a colleague holds needs `takeOver: true`,
   * which the UI sends only after the agent confirmed; without it the relay answers `conflict`.
   */
  'conversations.assignToMe': { input: z.object({ conversationId: EntityId, mine: z.boolean(), takeOver: z.boolean().optional() }), output: Ok },
  /** A supervisor moves the conversation to another team (`directory.get` lists the teams); the old team's consoles drop it. */
  'conversations.transfer': { input: z.object({ conversationId: EntityId, teamId: EntityId }), output: Ok },
  /** The conversation with this WhatsApp number, if there is one here (a shared contact card offers to open it). */
  'conversations.findByWaId': { input: z.object({ waId: WaId }), output: z.object({ conversationId: EntityId.nullable() }) },
  /**
   * The conversation with this WhatsApp number: the existing one, or a new one on this desktop that the relay learns of
   * with its first message (`created`). A customer who never wrote can only be sent a template, as WhatsApp requires.
   */
  'conversations.startWith': { input: z.object({ waId: WaId }), output: z.object({ conversationId: EntityId, created: z.boolean() }) },
  /** Which conversation the agent is looking at, and whether the window has focus: no notification for it. */
  'conversations.setOpen': { input: z.object({ conversationId: EntityId.nullable(), windowFocused: z.boolean() }), output: Ok },

  /** Newest first. `before` pages older; `around` opens at a message (search results). */
  'messages.page': {
    input: z.object({ conversationId: EntityId, before: z.string().max(200).optional(), around: EntityId.optional(), limit: z.number().int().min(1).max(500) }),
    output: z.object({ messages: z.array(Message), olderCursor: z.string().nullable(), hasOlder: z.boolean() }),
  },
  'messages.sendText': {
    input: z.object({ conversationId: EntityId, body: z.string().trim().min(1).max(MAX_TEXT_LENGTH), replyToId: EntityId.optional() }),
    output: z.object({ message: Message }),
  },
  'messages.sendTemplate': {
    input: z.object({ conversationId: EntityId, ...TemplateFields }),
    output: z.object({ message: Message }),
  },
  /** A file the agent attached: checked for WhatsApp's size and type rules before it is queued. */
  'messages.sendFile': {
    input: z.object({
      conversationId: EntityId,
      fileName: z.string().min(1).max(255),
      mimeType: z.string().min(1).max(255),
      /** The file's bytes, base64 (the IPC and the preview socket carry JSON). */
      dataBase64: z.string().max(140 * 1024 * 1024),
      caption: z.string().max(1_024).optional(),
    }),
    output: z.object({ message: Message }),
  },
  'messages.retry': { input: z.object({ messageId: EntityId }), output: Ok },
  'messages.discard': { input: z.object({ messageId: EntityId }), output: Ok },
  /** Explicit: tells the customer their messages were read up to this one. */
  'messages.markRead': { input: z.object({ conversationId: EntityId, upToMessageId: EntityId }), output: Ok },

  'drafts.get': { input: ConversationRef, output: z.object({ text: z.string() }) },
  'drafts.save': { input: z.object({ conversationId: EntityId, text: z.string().max(MAX_TEXT_LENGTH * 4) }), output: Ok },

  /** Who is who: this agent's role and teams, colleagues in those teams, every team. Offline: the copy kept here. */
  'directory.get': { input: Empty, output: Directory },

  'templates.list': { input: Empty, output: z.object({ templates: z.array(Template) }) },
  /** Bytes of a media file (inbound or sent), base64, fetched from the relay and cached. */
  'media.get': { input: z.object({ mediaId: EntityId }), output: z.object({ mimeType: z.string(), dataBase64: z.string(), fileName: z.string().nullable() }) },

  'app.status': { input: Empty, output: AppStatus },
  /** A zip of logs, versions, redacted settings and policy, and connection history, for IT. */
  'diagnostics.export': { input: Empty, output: z.object({ fileName: z.string(), dataBase64: z.string() }) },
  'settings.get': { input: Empty, output: Settings },
  'settings.set': { input: Settings.partial(), output: Settings },
} as const;

export const CONSOLE_EVENTS = {
  'connection.changed': ConnectionState,
  'sync.progress': SyncProgress,
  /** Coalesced: one event for many changes (a burst of 1,000 inbound messages is a handful of these). */
  'conversations.changed': z.object({ items: z.array(ConversationSummary) }),
  /** Conversations gone from this desktop (the relay merged two identities of one customer, say): drop them from the list. */
  'conversations.removed': z.object({ items: z.array(z.object({ conversationId: EntityId, mergedInto: EntityId.nullable() })) }),
  /** A colleague took over conversations this agent held: each names who now has it (the UI says so, calmly). */
  'conversations.takenOver': z.object({ items: z.array(z.object({ conversationId: EntityId, by: AgentRef })) }),
  'messages.changed': z.object({ conversationId: EntityId, messages: z.array(Message) }),
  'messages.removed': z.object({ conversationId: EntityId, messageIds: z.array(EntityId) }),
  /** A notification is due; showing it (or not, per OS settings) is the adapter's job. */
  'notification.show': z.object({ conversationId: EntityId, messageId: EntityId, title: z.string().max(200), body: z.string().max(300).nullable() }),
  'settings.changed': Settings,
  'session.changed': Session,
  'session.sso': SsoOutcome,
  'app.status': AppStatus,
  /** The adapter asks the UI to open a conversation (a notification click, a deep link). */
  'navigation.openConversation': z.object({ conversationId: EntityId }),
} as const;

export type ConsoleMethod = keyof typeof CONSOLE_METHODS;
export type ConsoleEvent = keyof typeof CONSOLE_EVENTS;
export type MethodInput<M extends ConsoleMethod> = z.input<(typeof CONSOLE_METHODS)[M]['input']>;
export type MethodOutput<M extends ConsoleMethod> = z.infer<(typeof CONSOLE_METHODS)[M]['output']>;
export type EventPayload<E extends ConsoleEvent> = z.infer<(typeof CONSOLE_EVENTS)[E]>;

export function isConsoleMethod(name: unknown): name is ConsoleMethod {
  return typeof name === 'string' && Object.hasOwn(CONSOLE_METHODS, name);
}

export function isConsoleEvent(name: unknown): name is ConsoleEvent {
  return typeof name === 'string' && Object.hasOwn(CONSOLE_EVENTS, name);
}

/** What `window.branchline` is, in Electron (preload) and in the web preview (shim) alike. */
export type BranchlineApi = {
  [M in ConsoleMethod]: (input: MethodInput<M>) => Promise<MethodOutput<M>>;
} & {
  on<E extends ConsoleEvent>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Every call answers with one of these over IPC or the preview socket; the bridge turns errors into rejections. */
export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireFailure };

/** A refusal as it crosses IPC or the preview socket: a code from the one union in src/shared/errors.ts. */
export interface WireFailure {
  code: ErrorCode;
  message: string;
}

/** Thrown in the renderer when the service refused a call. */
export class ConsoleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}
