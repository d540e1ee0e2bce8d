// Creates AgentSessions with the relay's settings and registers them with the hub.
import type { Clock } from '../shared/clock';
import { uuidv7 } from '../shared/uuidv7';
import { AgentSession, type RequestHandler, type SessionSettings, type SessionTransport } from './agent-session';
import type { Logger } from './log';
import type { SessionHub } from './session-hub';
import type { Agent, RelayStore } from './store/relay-store';

export interface SessionFactory {
  create(input: { agent: Agent; deviceId: string; since: number | null; transport: SessionTransport; transportName: 'ws' | 'poll' }): AgentSession;
}

export function createSessionFactory(deps: {
  store: RelayStore;
  hub: SessionHub;
  handleRequest: RequestHandler;
  clock: Clock;
  settings: SessionSettings;
  log: Logger;
}): SessionFactory {
  return {
    create({ agent, deviceId, since, transport, transportName }) {
      const sessionId = uuidv7();
      const session = new AgentSession({
        agent,
        deviceId,
        sessionId,
        since,
        transport,
        store: deps.store,
        handleRequest: deps.handleRequest,
        clock: deps.clock,
        settings: deps.settings,
        log: deps.log.child({ agentId: agent.id, deviceId, sessionId, transport: transportName }),
        onClosed: (s) => deps.hub.remove(s),
      });
      deps.hub.add(session);
      return session;
    },
  };
}
