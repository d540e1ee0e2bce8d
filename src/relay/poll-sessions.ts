// The long-poll sessions a process holds, and their bounds: a session nobody collects from within `uncollectedMs` is
// closed and freed whatever it still queues, and an agent opening more than `perAgent` loses their least recently
// collected one (4009), so abandoned polls cannot pin memory (issue 17: 200 of them held about 200 MB).
import type { Clock } from '../shared/clock';
import { CloseCode } from '../shared/protocol';
import type { AgentSession, SessionTransport } from './agent-session';
import type { Logger } from './log';

/** Frames queued for the next GET; the stream pauses (backpressure) while they are many. */
export class PollTransport implements SessionTransport {
  queue: string[] = [];
  queuedBytes = 0;
  closed: { code: number; reason: string } | null = null;
  private waiter: (() => void) | null = null;

  send(text: string): void {
    this.queue.push(text);
    this.queuedBytes += text.length;
    this.wakeWaiter();
  }

  bufferedBytes(): number {
    return this.queuedBytes;
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.wakeWaiter();
  }

  take(): string[] {
    const frames = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return frames;
  }

  wait(clock: Clock, ms: number): Promise<void> {
    if (this.queue.length > 0 || this.closed !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = clock.setTimer(ms, () => {
        this.waiter = null;
        resolve();
      });
      this.waiter = () => {
        cancel();
        this.waiter = null;
        resolve();
      };
    });
  }

  private wakeWaiter(): void {
    this.waiter?.();
  }
}

export interface PollEntry {
  readonly session: AgentSession;
  readonly transport: PollTransport;
  readonly agentId: string;
  /** The hash of the token that opened the session. */
  readonly tokenHash: string;
  /** GETs waiting on it now: a session being collected is never abandoned. */
  collecting: number;
  /** Monotonic time of the last GET's start or end. */
  lastCollectedAt: number;
}

export interface PollLimits {
  readonly uncollectedMs: number;
  readonly perAgent: number;
}

export class PollSessions {
  private readonly entries = new Map<string, PollEntry>();
  private cancelSweep: () => void = () => {};

  constructor(private readonly deps: { clock: Clock; log: Logger; limits: PollLimits }) {
    this.scheduleSweep();
  }

  get size(): number {
    return this.entries.size;
  }

  get(sessionId: string): PollEntry | undefined {
    return this.entries.get(sessionId);
  }

  /** Keeps a new session, first closing the agent's least recently collected ones beyond their allowance. */
  add(session: AgentSession, transport: PollTransport, agentId: string, tokenHash: string): void {
    const open = [...this.entries.values()].filter((e) => e.agentId === agentId && !e.session.isClosed);
    open.sort((a, b) => Number(a.collecting > 0) - Number(b.collecting > 0) || a.lastCollectedAt - b.lastCollectedAt);
    for (const entry of open.slice(0, Math.max(0, open.length - this.deps.limits.perAgent + 1))) {
      this.deps.log.info('poll.superseded', { agentId, deviceId: entry.session.deviceId });
      entry.session.close(CloseCode.superseded, `this agent has more than ${this.deps.limits.perAgent} poll sessions; the least recently used closed`);
      entry.transport.take(); // only the close is still owed to its client
    }
    const now = this.deps.clock.monotonicNow();
    this.entries.set(session.sessionId, { session, transport, agentId, tokenHash, collecting: 0, lastCollectedAt: now });
  }

  /** Marks a GET waiting on the session; the returned function marks its end. */
  collecting(entry: PollEntry): () => void {
    entry.collecting += 1;
    entry.lastCollectedAt = this.deps.clock.monotonicNow();
    return () => {
      entry.collecting -= 1;
      entry.lastCollectedAt = this.deps.clock.monotonicNow();
    };
  }

  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  closeAll(code: number, reason: string): void {
    this.cancelSweep();
    for (const entry of this.entries.values()) entry.session.close(code, reason);
    this.entries.clear();
  }

  /**
   * Closes and forgets sessions nobody collected from within the bound, whatever they queue. One the relay closed (dead
   * link, superseded) is kept as long, so its client can still hear how it ended; collecting that forgets it at once.
   */
  sweep(): void {
    const now = this.deps.clock.monotonicNow();
    for (const [id, entry] of this.entries) {
      if (entry.collecting > 0) continue;
      if (now - entry.lastCollectedAt >= this.deps.limits.uncollectedMs) {
        if (!entry.session.isClosed) {
          this.deps.log.info('poll.abandoned', { agentId: entry.agentId, deviceId: entry.session.deviceId, queuedBytes: entry.transport.queuedBytes });
          entry.session.close(CloseCode.deadLink, 'not collected in time');
        }
        entry.transport.take();
        this.entries.delete(id);
      }
    }
  }

  private scheduleSweep(): void {
    // Often enough that a session lives at most about one and a half bounds uncollected.
    const every = Math.max(50, Math.min(10_000, Math.floor(this.deps.limits.uncollectedMs / 2)));
    this.cancelSweep = this.deps.clock.setTimer(every, () => {
      this.sweep();
      this.scheduleSweep();
    });
  }
}
