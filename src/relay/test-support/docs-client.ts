// A small Branchline relay client written from docs/protocol.md alone (no relay code was read).
//
// It is meant to be read: it shows a newcomer every step of talking to the relay.
//   - `connectWebSocket` opens the documented WebSocket (`GET /v1/agent`): subprotocol `branchline.v1` unless
//     told otherwise (it was first written from the version 1 document; `protocols: [PROTOCOL_V2]` speaks version 2).
//   - `openPollSession` opens the HTTP long-polling fallback (`/v1/poll`, `v=1` unless `version: 2`) carrying the same frames.
//   - Both give a `Connection`: it keeps every frame received, answers the relay's pings, pings when
//     idle, checks that events arrive gap-free, and can `request(...)` a method and `ack(...)` a seq.
//   - `LocalStore` is the client's committed state: "apply, commit, then ack" (section "Events, seq
//     and acks"). Applying is idempotent: keys are ids, statuses only move forward. Version 2's
//     `message.updated` replaces a stored message; `conversation.removed` drops a conversation;
//     `events.skipped` changes nothing but the cursor (section "Who receives what").
//   - `fetchArrivals` pages the history of conversations that arrived by event (a transfer to our team).
//   - `uuidv7()` mints a `clientMessageId` with the RFC 9562 layout.
//
// Section names in comments refer to docs/protocol.md.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Types (sections "Connecting", "Frames", "Events", "Errors")
// ---------------------------------------------------------------------------------------------

export const PROTOCOL = 'branchline.v1';
/** Section "What changed from version 1". */
export const PROTOCOL_V2 = 'branchline.v2';

export interface ErrorBody {
  code: string;
  message: string;
  retryable: boolean;
}

export interface TeamRef {
  id: string;
  name: string;
}

export interface Hello {
  type: 'hello';
  protocol: number;
  sessionId: string;
  /** Version 2 adds `role` and `teams` (section "Connecting: the handshake"). */
  agent: { id: string; name: string; role?: 'agent' | 'supervisor' | 'admin'; teams?: TeamRef[] };
  deviceId: string;
  head: number;
  oldest: number;
  mode: 'resume' | 'resync';
  heartbeatMs: number;
  deadAfterMs: number;
  maxFrameBytes: number;
  eventWindow: number;
}

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** `content` is a tagged union on `type`; the client only needs to look at a few fields. */
export interface Content {
  type: string;
  body?: string;
  name?: string;
  language?: string;
  parameters?: string[];
  [field: string]: unknown;
}

export interface Failure {
  code: string;
  message: string;
  metaCode?: number;
}

/** In a group, who wrote a message (section "Message", `author`, version 2). */
export interface Author {
  waId: string | null;
  bsuid: string | null;
  name: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  content: Content;
  status: MessageStatus;
  failure: Failure | null;
  replyToId: string | null;
  senderAgentId: string | null;
  createdAt: number;
  updatedAt: number;
  /** Version 2; absent means null. */
  edited?: { at: number; previous: Content[] } | null;
  /** Version 2; absent means null. */
  author?: Author | null;
}

export interface Conversation {
  id: string;
  /** Version 1: `waId` is always a phone number. Version 2: `waId` may be null; `bsuid` and `username` may be absent (null). */
  customer: { waId: string | null; bsuid?: string | null; username?: string | null; name: string | null };
  /** Version 2: a WhatsApp group; absent means null. */
  group?: { id: string; subject: string | null } | null;
  assignedAgentId: string | null;
  /** Version 2: the assignee with their name (absent when unassigned or from an older relay). */
  assignedAgent?: { id: string; name: string } | null;
  /** Version 2: the team that handles the conversation. */
  team?: TeamRef;
  lastInboundAt: number | null;
  caseId: string | null;
  readUpTo: string | null;
  lastMessageAt: number;
  createdAt: number;
  updatedAt: number;
}

export type RelayEvent =
  | { kind: 'message.created'; message: Message }
  | {
      kind: 'message.status';
      messageId: string;
      conversationId: string;
      status: MessageStatus;
      failure: Failure | null;
      at: number;
    }
  | { kind: 'conversation.upserted'; conversation: Conversation }
  /** Version 2: an edit or a deletion; replaces the stored copy. */
  | { kind: 'message.updated'; message: Message }
  /** Version 2: drop the conversation and its messages. */
  | { kind: 'conversation.removed'; conversationId: string; mergedInto: string | null }
  /** Version 2: nothing for this device from `fromSeq` up to this event's own seq. */
  | { kind: 'events.skipped'; fromSeq: number };

/** Event kinds each version sends (section "Events"); anything else is a protocol error. */
const KINDS: Record<number, readonly string[]> = {
  1: ['message.created', 'message.status', 'conversation.upserted'],
  2: ['message.created', 'message.status', 'conversation.upserted', 'message.updated', 'conversation.removed', 'events.skipped'],
};

export interface EventEnvelope {
  seq: number;
  event: RelayEvent;
}

/** The first seq an event accounts for: its own, or for `events.skipped` its `fromSeq`. */
export function firstSeqOf(envelope: EventEnvelope): number {
  return envelope.event.kind === 'events.skipped' ? envelope.event.fromSeq : envelope.seq;
}

export type ResFrame = { type: 'res'; id: string; ok: true; result: unknown } | { type: 'res'; id: string; ok: false; error: ErrorBody };

export type ServerFrame =
  Hello | { type: 'events'; events: EventEnvelope[] } | ResFrame | { type: 'error'; error: ErrorBody } | { type: 'ping' } | { type: 'pong' };

export type ClientFrame =
  { type: 'req'; id: string; method: string; params: unknown; deadlineMs?: number } | { type: 'ack'; seq: number } | { type: 'ping' } | { type: 'pong' };

/** Results of the methods (section "Methods"). */
export interface SendResult {
  message: Message;
}
export interface HistoryPage {
  messages: Message[];
  nextCursor: string | null;
}
export interface ConversationPage {
  conversations: Conversation[];
  nextCursor: string | null;
  total: number;
  head: number;
}
export interface Template {
  name: string;
  language: string;
  category: string;
  body: string;
  parameterCount: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** `POST /v1/poll` answers `{"sessionId": "…"}`. */
const PollOpened = z.object({ sessionId: z.string() });
/** `GET /v1/poll/{sessionId}` answers `{"frames": [...]}` or `{"closed": {code, reason}}`. */
const PollReceived = z.object({
  frames: z.array(z.unknown()).optional(),
  closed: z.object({ code: z.number(), reason: z.string() }).optional(),
});

// ---------------------------------------------------------------------------------------------
// UUIDv7 (RFC 9562, section 5.7): 48-bit Unix ms timestamp, version 7, 12 random bits,
// variant 0b10, 62 random bits.
// ---------------------------------------------------------------------------------------------

export function uuidv7(nowMs: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  if (random.length < 10) throw new Error('uuidv7 needs 10 random bytes');
  const rnd = Buffer.from(random);
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(nowMs, 0, 6); // unix_ts_ms, big-endian, 48 bits
  bytes.writeUInt8(0x70 | (rnd.readUInt8(0) & 0x0f), 6); // ver = 0111, then rand_a (high 4 bits)
  bytes.writeUInt8(rnd.readUInt8(1), 7); // rand_a (low 8 bits)
  bytes.writeUInt8(0x80 | (rnd.readUInt8(2) & 0x3f), 8); // var = 10, then rand_b
  rnd.copy(bytes, 9, 3, 10); // rest of rand_b
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// The committed local store (section "Events, seq and acks": apply, commit, then ack)
// ---------------------------------------------------------------------------------------------

/** `pending < sent < failed < delivered < read` (section "Events", `message.status`). */
const STATUS_RANK: Record<MessageStatus, number> = { pending: 0, sent: 1, failed: 2, delivered: 3, read: 4 };

export function laterStatus(a: MessageStatus, b: MessageStatus): MessageStatus {
  return STATUS_RANK[b] > STATUS_RANK[a] ? b : a;
}

export class LocalStore {
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message>();
  /** Conversations that arrived by `conversation.upserted` while we did not hold them: their history is to be paged. */
  readonly arrivals = new Set<string>();
  /** The last `seq` committed here: what to send as `since` when reconnecting. */
  committedSeq: number | undefined = undefined;

  /** Commits events in `seq` order (already committed ones are skipped). Returns the new cursor. */
  commit(envelopes: readonly EventEnvelope[]): number | undefined {
    for (const envelope of envelopes) {
      if (this.committedSeq !== undefined && envelope.seq <= this.committedSeq) continue;
      if (this.committedSeq !== undefined && firstSeqOf(envelope) !== this.committedSeq + 1) {
        throw new Error(`gap: committed ${this.committedSeq}, next event is ${firstSeqOf(envelope)}`);
      }
      this.apply(envelope.event);
      this.committedSeq = envelope.seq;
    }
    return this.committedSeq;
  }

  /** Idempotent: applying the same event twice leaves the same state. */
  apply(event: RelayEvent): void {
    switch (event.kind) {
      case 'message.created':
        this.putMessage(event.message);
        break;
      case 'message.status': {
        const known = this.messages.get(event.messageId);
        if (known !== undefined) {
          const status = laterStatus(known.status, event.status);
          if (status !== known.status) {
            this.messages.set(known.id, { ...known, status, failure: event.failure, updatedAt: event.at });
          }
        }
        break;
      }
      case 'conversation.upserted':
        // Section "Who receives what": a conversation we do not hold (e.g. transferred to our team) comes with no
        // history on the stream; page it with messages.history.
        if (!this.conversations.has(event.conversation.id)) this.arrivals.add(event.conversation.id);
        this.putConversation(event.conversation);
        break;
      case 'message.updated':
        this.replaceMessage(event.message);
        break;
      case 'conversation.removed':
        this.conversations.delete(event.conversationId);
        this.arrivals.delete(event.conversationId);
        for (const message of [...this.messages.values()]) if (message.conversationId === event.conversationId) this.messages.delete(message.id);
        break;
      case 'events.skipped':
        // Nothing we may see happened in fromSeq..seq: only the cursor moves (commit() does that).
        break;
    }
  }

  /** `message.updated`: the whole message as it now is replaces ours, keeping the furthest status either copy has. */
  replaceMessage(message: Message): void {
    const known = this.messages.get(message.id);
    const status = known === undefined ? message.status : laterStatus(known.status, message.status);
    this.messages.set(message.id, { ...message, status, failure: status === message.status ? message.failure : (known?.failure ?? null) });
  }

  /** Used by both events and paged snapshots (`messages.history`). Statuses never go backwards. */
  putMessage(message: Message): void {
    const known = this.messages.get(message.id);
    if (known === undefined) {
      this.messages.set(message.id, message);
      return;
    }
    const status = laterStatus(known.status, message.status);
    const newer = message.updatedAt >= known.updatedAt ? message : known;
    this.messages.set(message.id, { ...newer, status, failure: status === newer.status ? newer.failure : known.failure });
  }

  putConversation(conversation: Conversation): void {
    const known = this.conversations.get(conversation.id);
    if (known === undefined || conversation.updatedAt >= known.updatedAt) this.conversations.set(conversation.id, conversation);
  }

  messagesWithBody(body: string): Message[] {
    return [...this.messages.values()].filter((m) => m.content.body === body);
  }
}

// ---------------------------------------------------------------------------------------------
// A connection: frames in, frames out (the same for WebSocket and long polling)
// ---------------------------------------------------------------------------------------------

interface Waiter {
  matches: (frame: ServerFrame) => boolean;
  from: number;
  what: string;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface WaitOptions {
  /** Only frames received at or after this index of `frames` count. Default 0. */
  from?: number;
  timeoutMs?: number;
}

export abstract class Connection {
  /** Every frame received, in order. */
  readonly frames: ServerFrame[] = [];
  /** Every event received on this connection, in order. */
  readonly envelopes: EventEnvelope[] = [];
  /** Breaches of the protocol noticed while receiving (gaps, repeats, unparsable frames). */
  readonly violations: string[] = [];
  readonly closed: Promise<CloseInfo>;
  closeInfo: CloseInfo | undefined;
  helloFrame: Hello | undefined;

  protected lastSentAt = Date.now();
  protected lastReceivedAt = Date.now();
  private expectedSeq: number | undefined;
  private waiters: Waiter[] = [];
  private nextRequestId = 1;
  private resolveClosed!: (info: CloseInfo) => void;

  constructor(protected readonly since: number | undefined) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Sends one frame as JSON text. */
  protected abstract sendText(text: string): Promise<void>;

  /** Drops the connection at once (for cleanup). */
  abstract dispose(): void;

  send(frame: ClientFrame): Promise<void> {
    return this.sendRaw(JSON.stringify(frame));
  }

  /** Sends any text, valid or not (for tests of bad input). */
  sendRaw(text: string): Promise<void> {
    this.lastSentAt = Date.now();
    return this.sendText(text);
  }

  ack(seq: number): Promise<void> {
    return this.send({ type: 'ack', seq });
  }

  /** Calls a method and waits for its `res`, treating silence past `deadlineMs` as a timeout. */
  async request(method: string, params: unknown, deadlineMs = 10_000): Promise<ResFrame> {
    const id = `r-${this.nextRequestId++}`;
    const from = this.frames.length;
    await this.send({ type: 'req', id, method, params, deadlineMs });
    const res = await this.waitFor((f) => f.type === 'res' && f.id === id, `response to ${method} (${id})`, {
      from,
      timeoutMs: deadlineMs + 2_000,
    });
    return res as ResFrame;
  }

  /** Like `request`, but returns the result and throws on an error response. */
  async call<T>(method: string, params: unknown, deadlineMs = 10_000): Promise<T> {
    const res = await this.request(method, params, deadlineMs);
    if (!res.ok) throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
    return res.result as T;
  }

  hello(timeoutMs = 10_000): Promise<Hello> {
    return this.waitFor((f) => f.type === 'hello', 'hello', { timeoutMs }) as Promise<Hello>;
  }

  /** Resolves with the first frame (at index >= `from`) that matches; rejects on timeout or close. */
  waitFor(matches: (frame: ServerFrame) => boolean, what: string, options: WaitOptions = {}): Promise<ServerFrame> {
    const from = options.from ?? 0;
    const found = this.frames.slice(from).find(matches);
    if (found !== undefined) return Promise.resolve(found);
    if (this.closeInfo !== undefined) {
      return Promise.reject(new Error(`connection closed (${this.closeInfo.code} ${this.closeInfo.reason}) before ${what}`));
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        from,
        what,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms (${this.frames.length} frames received)`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Every frame a subclass receives goes through here. */
  protected receive(frame: unknown): void {
    this.lastReceivedAt = Date.now();
    if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') {
      this.violations.push(`not a frame: ${JSON.stringify(frame)}`);
      return;
    }
    const typed = frame as ServerFrame;
    const index = this.frames.length;
    this.frames.push(typed);

    if (typed.type === 'hello') {
      this.helloFrame = typed;
      // First event after hello: since + 1 (resume) or head + 1 (resync).
      this.expectedSeq = (typed.mode === 'resume' && this.since !== undefined ? this.since : typed.head) + 1;
      this.onHello(typed);
    } else if (typed.type === 'events') {
      for (const envelope of typed.events) {
        // An `events.skipped` stands for every seq from its `fromSeq` to its own (section "Who receives what").
        const first = firstSeqOf(envelope);
        if (this.expectedSeq === undefined) this.violations.push(`event ${envelope.seq} before hello`);
        else if (first !== this.expectedSeq) this.violations.push(`expected seq ${this.expectedSeq}, got ${first}`);
        else if (first > envelope.seq) this.violations.push(`events.skipped at ${envelope.seq} starts after it (${first})`);
        const kinds = KINDS[this.helloFrame?.protocol ?? 0] ?? [];
        if (!kinds.includes(envelope.event.kind)) this.violations.push(`event ${envelope.seq}: kind ${envelope.event.kind} is not in this version`);
        this.expectedSeq = envelope.seq + 1;
        this.envelopes.push(envelope);
      }
    } else if (typed.type === 'ping') {
      void this.send({ type: 'pong' }).catch(() => undefined);
    }

    for (const waiter of [...this.waiters]) {
      if (index >= waiter.from && waiter.matches(typed)) {
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(typed);
      }
    }
  }

  protected onHello(_hello: Hello): void {}

  protected markClosed(info: CloseInfo): void {
    if (this.closeInfo !== undefined) return;
    this.closeInfo = info;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`connection closed (${info.code} ${info.reason}) while waiting for ${waiter.what}`));
    }
    this.waiters = [];
    this.resolveClosed(info);
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket (section "Connecting: the handshake", "Heartbeat and dead links")
// ---------------------------------------------------------------------------------------------

export interface ConnectOptions {
  /** e.g. `http://127.0.0.1:8080` */
  baseUrl: string;
  token: string;
  /** omit to leave out `device` (a malformed handshake, for tests) */
  device: string | undefined;
  /** the last committed seq; omit on a device that has nothing yet */
  since?: number;
  /** defaults to `['branchline.v1']` */
  protocols?: string[];
}

export class WsConnection extends Connection {
  readonly socket: WebSocket;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(options: ConnectOptions) {
    super(options.since);
    const url = new URL('/v1/agent', options.baseUrl.replace(/^http/, 'ws'));
    if (options.device !== undefined) url.searchParams.set('device', options.device);
    if (options.since !== undefined) url.searchParams.set('since', String(options.since));
    this.socket = new WebSocket(url, options.protocols ?? [PROTOCOL], {
      headers: { Authorization: `Bearer ${options.token}` },
    });
    let failure = '';
    this.socket.on('message', (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        this.violations.push(`unparsable frame: ${data.toString().slice(0, 200)}`);
        return;
      }
      this.receive(frame);
    });
    this.socket.on('error', (error) => (failure = error.message));
    this.socket.on('close', (code, reason) => {
      if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
      this.markClosed({ code, reason: reason.toString() || failure });
    });
  }

  protected sendText(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(text, (error) => (error ? reject(error) : resolve())));
  }

  /** Ping when we have sent nothing for `heartbeatMs`; give up on a link silent for `deadAfterMs`. */
  protected override onHello(hello: Hello): void {
    this.heartbeat = setInterval(
      () => {
        const now = Date.now();
        if (now - this.lastReceivedAt >= hello.deadAfterMs) this.socket.terminate();
        else if (now - this.lastSentAt >= hello.heartbeatMs) void this.send({ type: 'ping' }).catch(() => undefined);
      },
      Math.max(100, Math.min(1_000, hello.heartbeatMs / 4)),
    );
    this.heartbeat.unref();
  }

  /** A normal close (1000). */
  close(): Promise<CloseInfo> {
    this.socket.close(1000);
    return this.closed;
  }

  dispose(): void {
    this.socket.terminate();
  }

  /** Drop the connection abruptly, like a pulled cable (no close handshake). */
  terminate(): Promise<CloseInfo> {
    this.socket.terminate();
    return this.closed;
  }
}

export function connectWebSocket(options: ConnectOptions): WsConnection {
  return new WsConnection(options);
}

// ---------------------------------------------------------------------------------------------
// HTTP long polling (section "HTTP long-polling fallback")
// ---------------------------------------------------------------------------------------------

export interface PollOptions {
  baseUrl: string;
  token: string;
  device: string;
  since?: number;
  /** The protocol version (section "HTTP long-polling fallback", `v`); default 1. */
  version?: 1 | 2;
  /** How requests are made (default: the global fetch, which keeps connections; tests behind a balancer may not). */
  fetch?: typeof fetch;
}

export class PollConnection extends Connection {
  private readonly abort = new AbortController();

  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    readonly sessionId: string,
    since: number | undefined,
    private readonly fetch: typeof globalThis.fetch,
  ) {
    super(since);
  }

  /** `POST /v1/poll?v=1&device=…&since=…` (or `v=2`) → `{"sessionId"}`; then keeps a `GET` outstanding. */
  static async open(options: PollOptions): Promise<PollConnection> {
    const url = new URL('/v1/poll', options.baseUrl);
    url.searchParams.set('v', String(options.version ?? 1));
    url.searchParams.set('device', options.device);
    if (options.since !== undefined) url.searchParams.set('since', String(options.since));
    const request = options.fetch ?? fetch;
    const res = await request(url, { method: 'POST', headers: { Authorization: `Bearer ${options.token}` } });
    if (res.status !== 200) throw new Error(`opening a poll session: HTTP ${res.status} ${await res.text()}`);
    const { sessionId } = PollOpened.parse(await res.json());
    const connection = new PollConnection(options.baseUrl, options.token, sessionId, options.since, request);
    void connection.receiveLoop();
    return connection;
  }

  get sessionUrl(): string {
    return new URL(`/v1/poll/${encodeURIComponent(this.sessionId)}`, this.baseUrl).toString();
  }

  /** Sends frames in one `POST` (up to 64); the relay answers `204`. */
  async sendFrames(frames: readonly unknown[]): Promise<void> {
    this.lastSentAt = Date.now();
    const res = await this.fetch(this.sessionUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ frames }),
    });
    if (res.status !== 204) throw new Error(`poll send: HTTP ${res.status} ${await res.text()}`);
  }

  protected sendText(text: string): Promise<void> {
    const frame: unknown = JSON.parse(text);
    return this.sendFrames([frame]);
  }

  dispose(): void {
    this.stop();
  }

  /** Stops polling. The document names no explicit close for a poll session: it ends after `deadAfterMs` without a GET. */
  stop(): void {
    this.abort.abort();
    this.markClosed({ code: 1000, reason: 'stopped by client' });
  }

  /** Issue the next `GET` as soon as one returns. */
  private async receiveLoop(): Promise<void> {
    while (this.closeInfo === undefined) {
      let res: Response;
      try {
        res = await this.fetch(this.sessionUrl, { headers: { Authorization: `Bearer ${this.token}` }, signal: this.abort.signal });
      } catch (error) {
        this.markClosed({ code: 1006, reason: `poll receive failed: ${(error as Error).message}` });
        return;
      }
      if (res.status === 404) {
        this.markClosed({ code: 1006, reason: 'the relay no longer knows the session (404)' });
        return;
      }
      if (res.status !== 200) {
        this.markClosed({ code: 1006, reason: `poll receive: HTTP ${res.status} ${await res.text()}` });
        return;
      }
      const body = PollReceived.parse(await res.json());
      for (const frame of body.frames ?? []) this.receive(frame);
      if (body.closed !== undefined) {
        this.markClosed(body.closed);
        return;
      }
    }
  }
}

export function openPollSession(options: PollOptions): Promise<PollConnection> {
  return PollConnection.open(options);
}

// ---------------------------------------------------------------------------------------------
// Putting it together: first sync, then apply, commit, ack
// ---------------------------------------------------------------------------------------------

/**
 * After a `hello` with `mode: "resync"`: page the current state into `store` and take `head` as the
 * cursor (section "Connecting", field `mode`). What the list no longer includes is dropped (section
 * "Who receives what": after a change of teams the list is what the agent may see now). Returns what
 * was paged, for progress reporting. Ack `head` afterwards (section "Events, seq and acks").
 */
export async function resync(
  connection: Connection,
  store: LocalStore,
  hello: Hello,
  pageSize = 100,
): Promise<{ conversationPages: number; historyPages: number; total: number }> {
  let conversationPages = 0;
  let historyPages = 0;
  let total = 0;
  const conversationIds: string[] = [];
  let cursor: string | null = null;
  do {
    const page: ConversationPage = await connection.call<ConversationPage>(
      'conversations.list',
      cursor === null ? { limit: pageSize } : { cursor, limit: pageSize },
    );
    conversationPages++;
    total = page.total;
    for (const conversation of page.conversations) {
      store.putConversation(conversation);
      conversationIds.push(conversation.id);
    }
    cursor = page.nextCursor;
  } while (cursor !== null);

  for (const conversationId of conversationIds) {
    let historyCursor: string | null = null;
    do {
      const page: HistoryPage = await connection.call<HistoryPage>(
        'messages.history',
        historyCursor === null ? { conversationId, limit: pageSize } : { conversationId, cursor: historyCursor, limit: pageSize },
      );
      historyPages++;
      for (const message of page.messages) store.putMessage(message);
      historyCursor = page.nextCursor;
    } while (historyCursor !== null);
  }
  const listed = new Set(conversationIds);
  for (const id of [...store.conversations.keys()]) {
    if (listed.has(id)) continue;
    store.conversations.delete(id);
    for (const message of [...store.messages.values()]) if (message.conversationId === id) store.messages.delete(message.id);
  }
  store.arrivals.clear();
  // The pages are at least as new as `head`; events after `head` follow on the connection.
  store.committedSeq = hello.head;
  return { conversationPages, historyPages, total };
}

/** Pages the history of every conversation that arrived by event (section "Who receives what"). */
export async function fetchArrivals(connection: Connection, store: LocalStore, pageSize = 100): Promise<number> {
  let pages = 0;
  for (const conversationId of [...store.arrivals]) {
    let cursor: string | null = null;
    do {
      const page: HistoryPage = await connection.call<HistoryPage>(
        'messages.history',
        cursor === null ? { conversationId, limit: pageSize } : { conversationId, cursor, limit: pageSize },
      );
      pages++;
      for (const message of page.messages) store.putMessage(message);
      cursor = page.nextCursor;
    } while (cursor !== null);
    store.arrivals.delete(conversationId);
  }
  return pages;
}

/** Applies and commits every event received so far, then acks the committed seq (if it moved). */
export async function commitAndAck(connection: Connection, store: LocalStore): Promise<number | undefined> {
  const before = store.committedSeq;
  store.commit(connection.envelopes);
  if (store.committedSeq !== undefined && store.committedSeq !== before) await connection.ack(store.committedSeq);
  return store.committedSeq;
}
