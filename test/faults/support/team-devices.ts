// For the teams scenario: devices of agents in teams (the client written from docs/protocol.md, each committing, acking
// and paging what arrives), customers writing to either team's number, and the truth of who could see what at each seq.
import { inboundTextWebhookBody, type BusinessIdentity } from '../../../src/relay/sandbox/webhook-payloads';
import { DEMO_NORTH_NUMBER } from '../../../src/relay/sandbox/business-numbers';
import {
  LocalStore,
  PROTOCOL,
  PROTOCOL_V2,
  commitAndAck,
  connectWebSocket,
  fetchArrivals,
  openPollSession,
  resync,
  type Connection,
  type RelayEvent,
} from '../../../src/relay/test-support/docs-client';
import { sleep } from './customers';
import type { RelayProcess } from './relay-process';
import { IDENTITY, deliverUntilAccepted, newWamid } from './webhooks';

/** The sandbox's second number, answered by its demo team `north`. */
export const NORTH_IDENTITY: BusinessIdentity = {
  ...IDENTITY,
  phoneNumberId: DEMO_NORTH_NUMBER.phoneNumberId,
  displayPhoneNumber: DEMO_NORTH_NUMBER.displayPhoneNumber,
};

/** A customer writes to one of our numbers, and is retried like Meta until the relay takes it. */
export async function customerWrites(relayUrl: string, from: string, body: string, identity: BusinessIdentity): Promise<void> {
  const delivery = inboundTextWebhookBody(identity, {
    wamid: newWamid(),
    from,
    profileName: `Customer ${from.slice(-2)}`,
    timestampMs: Date.now(),
    body,
    contextWamid: null,
  });
  await deliverUntilAccepted(() => relayUrl, delivery);
}

export interface TeamDevice {
  readonly name: string;
  readonly agentId: string;
  readonly version: 1 | 2;
  /** Every connection this device opened, oldest first (a reconnect adds one). */
  readonly connections: Connection[];
  readonly store: LocalStore;
  /** Problems the device itself saw: a gap its store refused, a request that failed unexpectedly. */
  readonly problems: string[];
  /** The close code of its current connection once it ended (null while open). */
  closedCode(): number | null;
  /** When its current connection ended (Date.now()), or null while open. */
  closedAt(): number | null;
  /** Drops the connection and opens a new one from the committed cursor (a resume). */
  reconnect(): Promise<void>;
  stop(): void;
}

/** A device that commits, acks and pages arrivals every 50 ms until it is closed or stopped. */
export async function openTeamDevice(
  relayUrl: string,
  token: string,
  agentId: string,
  name: string,
  options: { transport: 'ws' | 'poll'; version: 1 | 2 },
): Promise<TeamDevice> {
  const store = new LocalStore();
  const connections: Connection[] = [];
  const problems: string[] = [];
  let stopped = false;
  let closedAt: number | null = null;
  const connect = async (): Promise<Connection> => {
    const since = store.committedSeq;
    const connection =
      options.transport === 'ws'
        ? connectWebSocket({
            baseUrl: relayUrl,
            token,
            device: name,
            ...(since !== undefined && { since }),
            protocols: [options.version === 2 ? PROTOCOL_V2 : PROTOCOL],
          })
        : await openPollSession({ baseUrl: relayUrl, token, device: name, ...(since !== undefined && { since }), version: options.version });
    connections.push(connection);
    closedAt = null;
    void connection.closed.then(() => {
      if (connections.at(-1) === connection) closedAt = Date.now();
    });
    const hello = await connection.hello();
    if (hello.mode === 'resync') {
      await resync(connection, store, hello, 200);
      await connection.ack(hello.head);
    }
    void loop(connection);
    return connection;
  };
  const loop = async (connection: Connection): Promise<void> => {
    while (!stopped && connection.closeInfo === undefined) {
      try {
        await commitAndAck(connection, store);
        if (store.arrivals.size > 0) await fetchArrivals(connection, store);
      } catch (error) {
        // A connection being closed fails its acks and requests: that is the end of this loop, not a problem.
        await sleep(200);
        if (connection.closeInfo === undefined && !stopped) problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleep(50);
    }
  };
  await connect();
  return {
    name,
    agentId,
    version: options.version,
    connections,
    store,
    problems,
    closedCode: () => connections.at(-1)!.closeInfo?.code ?? null,
    closedAt: () => closedAt,
    async reconnect() {
      const current = connections.at(-1)!;
      await commitAndAck(current, store).catch(() => undefined);
      current.dispose();
      await connect();
    },
    stop() {
      stopped = true;
      for (const c of connections) c.dispose();
    },
  };
}

/** The conversation an event is about; null for a skip (v1 placeholders name a conversation no relay holds). */
export function conversationOfEvent(event: RelayEvent): string | null {
  switch (event.kind) {
    case 'message.created':
    case 'message.updated':
      return event.message.conversationId;
    case 'message.status':
    case 'conversation.removed':
      return event.conversationId;
    case 'conversation.upserted':
      return event.conversation.id;
    case 'events.skipped':
      return null;
  }
}

export interface SeqFact {
  /** The team the event's conversation belonged to at this seq. */
  readonly team: string | null;
  readonly conversationId: string | null;
  readonly createdAt: number;
}

/**
 * Who could see what at each seq, from the relay's log as the events themselves tell it (not from the audience the
 * relay stored beside them): a conversation is in the team its latest `conversation.upserted` names; an event of a
 * conversation not announced yet belongs to the team of its first announcement (they are written together).
 */
export function seqFacts(relay: RelayProcess): Map<number, SeqFact> {
  const rows = relay.query<{ seq: number; payload: string; created_at: number }>('SELECT seq, payload, created_at FROM events ORDER BY seq');
  const teamOf = new Map<string, string>();
  const facts = new Map<number, SeqFact>();
  const waiting = new Map<string, number[]>();
  for (const row of rows) {
    const event = JSON.parse(row.payload) as RelayEvent & { conversation?: { team?: { id: string } } };
    const conversationId = conversationOfEvent(event);
    if (event.kind === 'conversation.upserted' && event.conversation.team !== undefined && conversationId !== null) {
      teamOf.set(conversationId, event.conversation.team.id);
      for (const seq of waiting.get(conversationId) ?? []) facts.set(seq, { ...facts.get(seq)!, team: event.conversation.team.id });
      waiting.delete(conversationId);
    }
    const team = conversationId === null ? null : (teamOf.get(conversationId) ?? null);
    facts.set(row.seq, { team, conversationId, createdAt: row.created_at });
    if (team === null && conversationId !== null) waiting.set(conversationId, [...(waiting.get(conversationId) ?? []), row.seq]);
  }
  return facts;
}
