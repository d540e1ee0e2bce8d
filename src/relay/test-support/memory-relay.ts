// The relay's agent side on 127.0.0.1 over a log a test writes: the real WebSocket and long-poll transports, sessions
// and v1 encoder, with chosen v2 contents (so each version's view is tested apart from how the store fills the log).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock } from '../../shared/clock';
import type { Conversation, Message } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';
import { CloseCode } from '../../shared/protocol';
import type { RelayEvent } from '../../shared/protocol-events';
import { METHODS, isMethodName } from '../../shared/protocol-methods';
import type { RequestHandler } from '../agent-session';
import { createAuthGuard } from '../auth/auth-guard';
import { generateAgentToken, hashAgentToken } from '../agent-tokens';
import { silentLogger } from '../log';
import { createLongPoll } from '../long-poll';
import { createSessionFactory } from '../relay-sessions';
import { SessionHub } from '../session-hub';
import type { AgentAccess, AudienceRead, StoredEvent } from '../store/relay-store';
import { createAgentSocketServer } from '../ws-transport';

export interface MemoryRelay {
  baseUrl: string;
  /** Token of agent "ana". */
  token: string;
  /** Appends events to the log (as the store would after a commit) and wakes the sessions. */
  append(events: readonly RelayEvent[]): void;
  /** What the relay holds now, for methods and for the v1 encoder's lookups. */
  hold(conversations: readonly Conversation[], messages: readonly Message[]): void;
  close(): Promise<void>;
}

export async function startMemoryRelay(options: { eventWindow?: number } = {}): Promise<MemoryRelay> {
  const token = generateAgentToken();
  const ana: AgentAccess = { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [{ id: 'main', name: 'Main' }], accessVersion: 1, revokedAt: null };
  const log: StoredEvent[] = [];
  let conversations: Conversation[] = [];
  let messages: Message[] = [];

  const page = (cursor: string | undefined, limit: number) => {
    const start = cursor === undefined ? 0 : Number(cursor);
    const next = start + limit < conversations.length ? String(start + limit) : null;
    return { items: conversations.slice(start, start + limit), nextCursor: next, total: conversations.length, head: log.length };
  };
  const store = {
    findAgentByTokenHash: async (hash: string) => (hash === hashAgentToken(token) ? ana : null),
    agentAccess: async (id: string) => (id === ana.id ? ana : null),
    accessVersions: async () => new Map([[ana.id, ana.accessVersion]]),
    recordDeviceAck: async () => {},
    deviceAccessVersion: async () => ana.accessVersion,
    recordDeviceAccess: async () => {},
    appendAudit: async () => {},
    head: async () => log.length,
    oldest: async () => 1,
    // Every event is for ana's team here: what each version makes of the same log is what these tests look at.
    readEventsFor: async (_teams: readonly string[], afterSeq: number, limit: number): Promise<AudienceRead> => {
      const events = log.slice(afterSeq, afterSeq + limit);
      return { events, throughSeq: events.length === limit ? events.at(-1)!.seq : log.length };
    },
    listConversations: async (cursor: string | undefined, limit: number) => ok(page(cursor, limit)),
    conversationsById: async (ids: readonly string[]) => conversations.filter((c) => ids.includes(c.id)),
  };

  /** The v2 methods over what the relay holds: enough to see what each version is answered. */
  const handleRequest: RequestHandler = async (_agent, method, params): Promise<Result<unknown>> => {
    if (!isMethodName(method)) return fail('unknown_method', `unknown method '${method}'`);
    switch (method) {
      case 'conversations.list': {
        const p = METHODS[method].params.parse(params);
        const { items, nextCursor, total, head } = page(p.cursor, p.limit ?? 100);
        return ok({ conversations: items, nextCursor, total, head });
      }
      case 'messages.history': {
        const p = METHODS[method].params.parse(params);
        if (!conversations.some((c) => c.id === p.conversationId)) return fail('not_found', 'no such conversation');
        const newestFirst = messages.filter((m) => m.conversationId === p.conversationId).sort((a, b) => b.createdAt - a.createdAt);
        return ok({ messages: newestFirst, nextCursor: null });
      }
      case 'conversations.assign': {
        const p = METHODS[method].params.parse(params);
        const conversation = conversations.find((c) => c.id === p.conversationId);
        return conversation === undefined ? fail('not_found', 'no such conversation') : ok({ conversation: { ...conversation, assignedAgentId: p.agentId } });
      }
      case 'templates.list':
        return ok({ templates: [{ name: 'branch_follow_up', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}', parameterCount: 1 }] });
      default:
        return fail('unavailable', `${method} is not part of this test relay`);
    }
  };

  const hub = new SessionHub();
  const settings = {
    heartbeatMs: 5_000,
    deadAfterMs: 15_000,
    maxFrameBytes: 256 * 1024,
    eventWindow: options.eventWindow ?? 2_000,
    requestsPerSecond: 100,
    requestBurst: 200,
    maxBufferedBytes: 4 * 1024 * 1024,
  };
  const sessions = createSessionFactory({ store, hub, handleRequest, clock: systemClock, settings, log: silentLogger });
  const guard = createAuthGuard({ store, clock: systemClock, log: silentLogger });
  const sourceOf = () => '127.0.0.1';
  // Static tokens only: device sessions are the real relay's (relay-harness.ts).
  const noDeviceSessions = {
    authenticate: async () => ({ ok: false as const, reason: 'unknown_or_revoked' as const, agentId: null, message: 'no sessions here' }),
  };
  const auth = { store, sessions: noDeviceSessions, staticTokens: true };
  const sockets = createAgentSocketServer({ auth, sessions, log: silentLogger, guard, sourceOf });
  const limits = { uncollectedMs: 60_000, perAgent: 8 }; // the relay's defaults (limits-config.ts)
  const poll = createLongPoll({ auth, sessions, clock: systemClock, log: silentLogger, guard, sourceOf, holdMs: 2_000, limits });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const session = /^\/v1\/poll\/([A-Za-z0-9-]{1,64})$/.exec(url.pathname);
    const done = (p: Promise<void>) => void p.catch(() => res.destroy());
    if (url.pathname === '/v1/poll' && req.method === 'POST') return done(poll.open(req, res, url));
    if (session !== null && req.method === 'GET') return done(poll.receive(req, res, session[1]!));
    if (session !== null && req.method === 'POST') return done(poll.send(req, res, session[1]!));
    res.writeHead(404).end();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/v1/agent') void sockets.handleUpgrade(req, socket, head, url).catch(() => socket.destroy());
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    append(events) {
      for (const event of events) log.push({ seq: log.length + 1, json: JSON.stringify(event) });
      hub.notify();
    },
    hold(c, m) {
      conversations = [...c];
      messages = [...m];
    },
    async close() {
      guard.close();
      poll.closeAll();
      hub.closeAll(CloseCode.normal, 'test over');
      sockets.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
