// Creates AgentSessions with the relay's settings, in the device's protocol version, reading only what its agent may see.
import type { Clock } from '../shared/clock';
import type { ProtocolVersion } from '../shared/protocol';
import type { AppError } from '../shared/errors';
import { uuidv7 } from '../shared/uuidv7';
import type { AgentLimits } from './agent-limits';
import { AgentSession, type RequestHandler, type SessionSettings, type SessionTransport } from './agent-session';
import { audienceOf } from './domain/access';
import { placeholderGap, skippedGap, streamEntries } from './domain/visible-stream';
import type { Logger } from './log';
import { v1EventReader, v1RequestHandler, type ConversationLookup, type EntryReader } from './protocol-v1-encoder';
import type { SessionHub } from './session-hub';
import type { AgentAccess, RelayStore } from './store/relay-store';

export interface SessionFactory {
  /** Null when this agent may connect this device now; else why not (the cap of devices per agent). */
  refusal(agentId: string, deviceId: string, source: string): AppError | null;
  create(input: {
    agent: AgentAccess & { readonly sessionFamily?: string };
    deviceId: string;
    since: number | null;
    transport: SessionTransport;
    transportName: 'ws' | 'poll';
    protocol: ProtocolVersion;
    /** The client's address, for the audit trail. */
    source: string;
  }): AgentSession;
}

/** What sessions read and ask of the store. */
export type SessionStore = Pick<
  RelayStore,
  | 'head'
  | 'oldest'
  | 'readEventsFor'
  | 'agentAccess'
  | 'accessVersions'
  | 'recordDeviceAck'
  | 'deviceAccessVersion'
  | 'recordDeviceAccess'
  | 'appendAudit'
  | 'conversationsById'
>;

/** A device reads at most this many of its audience's events per store read. */
const READ_BATCH = 500;

export function createSessionFactory(deps: {
  store: SessionStore;
  hub: SessionHub;
  handleRequest: RequestHandler;
  clock: Clock;
  settings: SessionSettings;
  /** The cap of devices and the request budget per agent (absent: neither, as in the in-memory test relay). */
  limits?: AgentLimits;
  log: Logger;
  /** Conversations by id, for serving v1 devices (default: the store's conversationsById). */
  conversations?: ConversationLookup;
  /** Session ids (default: a UUIDv7); the relay's name its instance, so a long poll finds its home (cluster/). */
  newSessionId?: () => string;
}): SessionFactory {
  const { store } = deps;
  const conversations = deps.conversations ?? ((ids: readonly string[]) => store.conversationsById(ids));
  return {
    refusal: (agentId, deviceId, source) => deps.limits?.deviceRefusal(agentId, deviceId, source) ?? null,
    create({ agent, deviceId, since, transport, transportName, protocol, source }) {
      const sessionId = deps.newSessionId?.() ?? uuidv7();
      // The client's address on every line of the session (opened, closed, failures), so IT can trace a connection.
      const log = deps.log.child({ agentId: agent.id, deviceId, sessionId, transport: transportName, source });
      // The audience is fixed for the session: an access change ends it (the hub's watcher), and the next one reads anew.
      const audience = audienceOf(agent);
      const entries =
        (writeGap: typeof skippedGap): EntryReader =>
        async (afterSeq, limit) =>
          streamEntries(afterSeq, await store.readEventsFor(audience, afterSeq, Math.min(limit, READ_BATCH)), limit, writeGap);
      const session = new AgentSession({
        agent,
        deviceId,
        sessionId,
        source,
        transportName,
        protocol,
        since,
        transport,
        store,
        // v2 devices get the log's events as they are, a skip for the rest; v1 devices one v1 event or placeholder per seq.
        readEvents: protocol === 1 ? v1EventReader(entries(placeholderGap), conversations, log) : entries(skippedGap),
        handleRequest: protocol === 1 ? v1RequestHandler(deps.handleRequest, conversations) : deps.handleRequest,
        ...(deps.limits !== undefined && { agentBudget: deps.limits.budgetOf(agent.id) }),
        clock: deps.clock,
        settings: deps.settings,
        log,
        onClosed: (s) => deps.hub.remove(s),
      });
      deps.hub.add(session);
      return session;
    },
  };
}
