// One connected device: the hello, the event stream with its ack window, requests, heartbeats.
// Transport-agnostic: the WebSocket and the long-poll fallback both feed it text frames.
import type { Clock } from '../shared/clock';
import { appError, err, fail, type Result } from '../shared/errors';
import { ClientFrame, CloseCode, parseFrame, type ProtocolVersion, type WireError } from '../shared/protocol';
import type { TokenBucket } from '../shared/token-bucket';
import type { Logger } from './log';
import type { StreamEntry } from './domain/visible-stream';
import { RequestBudget } from './request-budget';
import { eventsFrame, openStream, requestIdOf, toWire, withDeadline } from './session-wire';
import type { AgentAccess, RelayStore } from './store/relay-store';

export interface SessionTransport {
  send(text: string): void;
  /** Bytes queued but not yet written: the stream pauses while this is high (slow consumer). */
  bufferedBytes(): number;
  close(code: number, reason: string): void;
}

/** Who is asking, from where: the signed-in agent with the access the session started under. */
export interface RequestContext {
  readonly agent: AgentAccess;
  readonly deviceId: string;
  /** The client's address (X-Forwarded-For only from trusted proxies): for the audit trail. */
  readonly source: string;
}

export type RequestHandler = (context: RequestContext, method: string, params: unknown) => Promise<Result<unknown>>;

export interface SessionSettings {
  heartbeatMs: number;
  deadAfterMs: number;
  maxFrameBytes: number;
  eventWindow: number;
  /** Sustained requests per second one device may make, and the burst above it. */
  requestsPerSecond: number;
  requestBurst: number;
  maxBufferedBytes: number;
}

export interface SessionDeps {
  /** The agent with their role, teams and access_version when the session started (and the device session it came by). */
  agent: AgentAccess & { readonly sessionFamily?: string };
  deviceId: string;
  sessionId: string;
  source: string;
  transportName: 'ws' | 'poll';
  /** The version this device speaks: its hello says it; `readEvents` and `handleRequest` answer in its shapes. */
  protocol: ProtocolVersion;
  /** The device's last committed seq, or null for a device with nothing (needs a first sync). */
  since: number | null;
  transport: SessionTransport;
  store: Pick<
    RelayStore,
    'head' | 'oldest' | 'agentAccess' | 'accessVersions' | 'recordDeviceAck' | 'deviceAccessVersion' | 'recordDeviceAccess' | 'appendAudit'
  >;
  /** The next at most `limit` entries after a seq: consecutive seqs, what its agent may see and fillers, in its version. */
  readEvents: (afterSeq: number, limit: number) => Promise<StreamEntry[]>;
  handleRequest: RequestHandler;
  /** The agent's request budget across their devices (agent-limits.ts); absent: only the device's own applies. */
  agentBudget?: TokenBucket;
  clock: Clock;
  settings: SessionSettings;
  log: Logger;
  onClosed: (session: AgentSession) => void;
}

const BACKPRESSURE_RETRY_MS = 25;

export class AgentSession {
  private sentUpTo = 0;
  private ackedUpTo = 0;
  /** Seqs of the entries sent and not yet acked, ascending: the window counts entries (a skip spans many seqs). */
  private unacked: number[] = [];
  /** Set while this device's rebuilt cache still has to be remembered as made under the agent's current access. */
  private recordAccessAt: number | null = null;
  private pumping = false;
  private pumpAgain = false;
  private closed = false;
  private lastReceivedAt: number;
  private lastSentAt: number;
  private cancelHeartbeat: () => void = () => {};
  /** The device's request budget (`requestBurst` at once, refilled at `requestsPerSecond`) and its agent's. */
  private readonly requests: RequestBudget;

  readonly agentId: string;
  readonly deviceId: string;
  readonly sessionId: string;
  /** The agent's access_version this session serves: another one in the store means it must end. */
  readonly accessVersion: number;
  readonly sessionFamily: string | null; // the device session that opened it (ends with it); null for a static token

  constructor(private readonly deps: SessionDeps) {
    this.sessionFamily = deps.agent.sessionFamily ?? null;
    this.agentId = deps.agent.id;
    this.accessVersion = deps.agent.accessVersion;
    this.deviceId = deps.deviceId;
    this.sessionId = deps.sessionId;
    this.lastReceivedAt = deps.clock.monotonicNow();
    this.lastSentAt = this.lastReceivedAt;
    this.requests = new RequestBudget(deps.settings, deps.clock, deps.agentBudget ?? null);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends the hello and starts streaming from the device's cursor (or from head after a resync). */
  async start(): Promise<void> {
    const opened = await openStream(this.deps);
    this.sentUpTo = opened.cursor;
    this.ackedUpTo = opened.cursor;
    this.recordAccessAt = opened.recordAccessAt;
    this.write(opened.hello);
    this.scheduleHeartbeat();
    this.pump();
  }

  /** The agent's access changed: revoked, the device must ask for credentials (4001); else reconnect and resync (4011). */
  endForAccess(revoked: boolean): void {
    if (revoked) this.close(CloseCode.unauthorized, 'token revoked');
    else this.close(CloseCode.accessChanged, "the agent's teams or role changed");
  }

  /** New events were committed: stream them if the window allows. */
  notify(): void {
    this.pump();
  }

  /** The client showed it is alive without sending a frame (a long-poll receive). */
  touch(): void {
    this.lastReceivedAt = this.deps.clock.monotonicNow();
  }

  receive(text: string): void {
    if (this.closed) return;
    this.lastReceivedAt = this.deps.clock.monotonicNow();
    const parsed = parseFrame(ClientFrame, text);
    if (!parsed.ok) {
      // A request we can name gets its refusal as its own response, so the client does not wait out its deadline.
      const id = requestIdOf(text);
      if (id !== null) this.respond(id, err(parsed.error));
      else this.sendError(parsed.error);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        this.write('{"type":"pong"}');
        return;
      case 'pong':
        return;
      case 'ack':
        this.onAck(frame.seq);
        return;
      case 'req':
        void this.onRequest(frame.id, frame.method, frame.params, frame.deadlineMs);
        return;
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelHeartbeat();
    this.deps.transport.close(code, reason);
    this.deps.log.info('session.closed', { code, reason });
    void this.deps.store.recordDeviceAck(this.deps.agent.id, this.deps.deviceId, this.ackedUpTo, this.deps.clock.wallNow()).catch(() => {});
    this.deps.onClosed(this);
  }

  private onAck(seq: number): void {
    if (seq > this.sentUpTo) {
      this.sendError(appError('invalid_input', `ack ${seq} is beyond the last event sent (${this.sentUpTo})`, false));
      return;
    }
    if (this.recordAccessAt !== null && seq >= this.recordAccessAt) {
      this.recordAccessAt = null;
      const { agent, deviceId } = this.deps;
      void this.deps.store.recordDeviceAccess(agent.id, deviceId, agent.accessVersion, this.deps.clock.wallNow()).catch(() => {});
    }
    if (seq <= this.ackedUpTo) return; // cumulative: an old ack changes nothing
    this.ackedUpTo = seq;
    let acked = 0;
    while (acked < this.unacked.length && this.unacked[acked]! <= seq) acked++;
    this.unacked = this.unacked.slice(acked);
    this.pump();
  }

  private async onRequest(id: string, method: string, params: unknown, deadlineMs: number | undefined): Promise<void> {
    const admitted = this.requests.admit();
    if (!admitted.ok) {
      this.respond(id, err(admitted.error));
      if (admitted.flooding) this.close(CloseCode.rateLimited, 'request flood');
      return;
    }
    // The watcher ends a session within a second of an access change; a request in that second is refused too.
    if (!(await this.accessHolds())) return;
    const context: RequestContext = { agent: this.deps.agent, deviceId: this.deps.deviceId, source: this.deps.source };
    const result = await withDeadline(this.deps.clock, deadlineMs, async () => {
      try {
        return await this.deps.handleRequest(context, method, params);
      } catch (error) {
        this.deps.log.error('request.failed', { method, error: error instanceof Error ? error : String(error) });
        return fail('internal', `the relay failed while handling ${method}`, true);
      }
    });
    this.respond(id, result);
  }

  /**
   * Whether the agent's access is still the one this session serves; if not, the session ends. Read after the events a
   * batch is about to carry: an event committed after a revocation or a change of teams is never sent.
   */
  private async accessHolds(): Promise<boolean> {
    const versions = await this.deps.store.accessVersions([this.agentId]);
    if (versions.get(this.agentId) === this.accessVersion) return true;
    const access = await this.deps.store.agentAccess(this.agentId);
    this.endForAccess(access === null || access.revokedAt !== null);
    return false;
  }

  private respond(id: string, result: Result<unknown>): void {
    if (this.closed) return;
    const frame = result.ok ? { type: 'res', id, ok: true, result: result.value } : { type: 'res', id, ok: false, error: toWire(result.error) };
    this.write(JSON.stringify(frame));
  }

  private sendError(error: WireError): void {
    this.write(JSON.stringify({ type: 'error', error }));
  }

  /** Streams committed events while fewer than `eventWindow` are unacked and the socket is keeping up. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop()
      .catch((error: unknown) => {
        this.deps.log.error('session.read_failed', { error: error instanceof Error ? error : String(error) });
        this.close(CloseCode.internalError, 'could not read events');
      })
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async pumpLoop(): Promise<void> {
    const { settings, transport } = this.deps;
    while (!this.closed) {
      const room = settings.eventWindow - this.unacked.length;
      if (room <= 0) return; // the next ack resumes the stream
      if (transport.bufferedBytes() > settings.maxBufferedBytes) {
        // A slow reader: hold events in the database, not in memory, and look again shortly.
        this.deps.clock.setTimer(BACKPRESSURE_RETRY_MS, () => this.pump());
        return;
      }
      const events = await this.deps.readEvents(this.sentUpTo, Math.min(room, 500));
      if (events.length === 0 || this.closed) return;
      // Fillers say nothing; anything else goes out only while the agent still may see it.
      if (events.some((e) => !e.filler) && !(await this.accessHolds())) return;
      const frame = eventsFrame(events, settings.maxFrameBytes);
      this.write(frame.text);
      for (let i = 0; i < frame.count; i++) this.unacked.push(events[i]!.seq);
      this.sentUpTo = frame.lastSeq;
    }
  }

  private write(text: string): void {
    if (this.closed) return;
    this.lastSentAt = this.deps.clock.monotonicNow();
    this.deps.transport.send(text);
  }

  private scheduleHeartbeat(): void {
    const { heartbeatMs, deadAfterMs } = this.deps.settings;
    const tick = () => {
      if (this.closed) return;
      const now = this.deps.clock.monotonicNow();
      if (now - this.lastReceivedAt >= deadAfterMs) {
        this.close(CloseCode.deadLink, 'no frame within the dead-link timeout');
        return;
      }
      if (now - this.lastSentAt >= heartbeatMs) this.write('{"type":"ping"}');
      this.cancelHeartbeat = this.deps.clock.setTimer(Math.min(heartbeatMs, deadAfterMs) / 2, tick);
    };
    this.cancelHeartbeat = this.deps.clock.setTimer(Math.min(heartbeatMs, deadAfterMs) / 2, tick);
  }
}
