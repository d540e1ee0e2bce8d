// Creates AgentSessions with the relay's settings, in the device's protocol version, and registers them with the hub.
import type { Clock } from '../shared/clock';
import type { ProtocolVersion } from '../shared/protocol';
import { uuidv7 } from '../shared/uuidv7';
import { AgentSession, type RequestHandler, type SessionSettings, type SessionTransport } from './agent-session';
import type { Logger } from './log';
import { v1EventReader, v1RequestHandler, type ConversationLookup } from './protocol-v1-encoder';
import type { SessionHub } from './session-hub';
import type { Agent, RelayStore } from './store/relay-store';

export interface SessionFactory {
  create(input: {
    agent: Agent;
    deviceId: string;
    since: number | null;
    transport: SessionTransport;
    transportName: 'ws' | 'poll';
    protocol: ProtocolVersion;
  }): AgentSession;
}

/** What sessions read and ask of the store. */
export type SessionStore = Pick<RelayStore, 'head' | 'oldest' | 'readEvents' | 'isAgentActive' | 'recordDeviceAck' | 'conversationsById'>;

export function createSessionFactory(deps: {
  store: SessionStore;
  hub: SessionHub;
  handleRequest: RequestHandler;
  clock: Clock;
  settings: SessionSettings;
  log: Logger;
  /** Conversations by id, for serving v1 devices (default: the store's conversationsById). */
  conversations?: ConversationLookup;
}): SessionFactory {
  const { store } = deps;
  const readEvents = (afterSeq: number, limit: number) => store.readEvents(afterSeq, limit);
  const conversations = deps.conversations ?? ((ids: readonly string[]) => store.conversationsById(ids));
  return {
    create({ agent, deviceId, since, transport, transportName, protocol }) {
      const sessionId = uuidv7();
      const log = deps.log.child({ agentId: agent.id, deviceId, sessionId, transport: transportName });
      const session = new AgentSession({
        agent,
        deviceId,
        sessionId,
        protocol,
        since,
        transport,
        store,
        // v2 devices get the log and the methods' results as they are; v1 devices get them through one encoder.
        readEvents: protocol === 1 ? v1EventReader(readEvents, conversations, log) : readEvents,
        handleRequest: protocol === 1 ? v1RequestHandler(deps.handleRequest, conversations) : deps.handleRequest,
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
