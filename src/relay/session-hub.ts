// Every connected device: told when events are committed; one live connection per (agent, device); ended within a
// second when its agent's access changes, whichever relay process (or the CLI) changed it.
import type { Clock } from '../shared/clock';
import { CloseCode } from '../shared/protocol';
import type { AgentSession } from './agent-session';
import type { Logger } from './log';
import type { RelayStore } from './store/relay-store';

export type AccessWatchStore = Pick<RelayStore, 'accessVersions' | 'agentAccess' | 'head'>;

/** Which device sessions can no longer carry a socket, and why (auth/device-sessions.ts). */
export interface EndedSessions {
  ended(familyIds: readonly string[]): Promise<ReadonlyMap<string, 'session_expired' | 'session_revoked'>>;
}

export class SessionHub {
  private readonly byDevice = new Map<string, AgentSession>();
  private notifyScheduled = false;

  /** Registers a session; an older connection of the same device is superseded (it is dead or a duplicate). */
  add(session: AgentSession): void {
    const key = deviceKey(session.agentId, session.deviceId);
    const previous = this.byDevice.get(key);
    this.byDevice.set(key, session);
    if (previous !== undefined && previous !== session) previous.close(CloseCode.superseded, 'the same device connected again');
  }

  remove(session: AgentSession): void {
    const key = deviceKey(session.agentId, session.deviceId);
    if (this.byDevice.get(key) === session) this.byDevice.delete(key);
  }

  /** How many devices of this agent are connected here, leaving out `except` (a device connecting again replaces itself). */
  devicesOf(agentId: string, except?: string): number {
    let count = 0;
    for (const s of this.byDevice.values()) if (s.agentId === agentId && s.deviceId !== except && !s.isClosed) count++;
    return count;
  }

  find(sessionId: string): AgentSession | undefined {
    for (const s of this.byDevice.values()) if (s.sessionId === sessionId) return s;
    return undefined;
  }

  /** Events were committed. Coalesced: a burst of commits wakes each session once. */
  notify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const session of this.byDevice.values()) session.notify();
    });
  }

  /** Closes an agent's sessions (token revoked). */
  closeAgent(agentId: string, code: number, reason: string): void {
    for (const s of [...this.byDevice.values()]) if (s.agentId === agentId) s.close(code, reason);
  }

  /**
   * Every `intervalMs`, one read of the access_version of each agent with a session here: a session serving another
   * version ends (4001 revoked, 4011 teams or role changed). The CLI and other relay processes change the same data,
   * so this is the only way they reach this process's sockets. The same tick wakes sessions when the log's head moved
   * without a commit of ours (another process took a webhook or a send). A session opened with a device session's
   * access token ends with it (4001 `session_revoked` or `session_expired`). Returns the stop function.
   */
  watchAccess(store: AccessWatchStore, options: { clock: Clock; log: Logger; intervalMs: number; deviceSessions?: EndedSessions }): () => void {
    let stopped = false;
    let cancel = () => {};
    let lastHead: number | null = null;
    const tick = async () => {
      let sessions = [...this.byDevice.values()];
      const families = [...new Set(sessions.flatMap((s) => (s.sessionFamily === null ? [] : [s.sessionFamily])))];
      if (families.length > 0 && options.deviceSessions !== undefined) {
        const ended = await options.deviceSessions.ended(families);
        for (const s of sessions) {
          const reason = s.sessionFamily === null ? undefined : ended.get(s.sessionFamily);
          if (reason !== undefined) s.close(CloseCode.unauthorized, reason);
        }
        sessions = sessions.filter((s) => !s.isClosed);
      }
      if (sessions.length > 0) {
        const versions = await store.accessVersions([...new Set(sessions.map((s) => s.agentId))]);
        const stale = sessions.filter((s) => versions.get(s.agentId) !== s.accessVersion);
        const revoked = new Map<string, boolean>();
        for (const agentId of new Set(stale.map((s) => s.agentId))) {
          const access = await store.agentAccess(agentId);
          revoked.set(agentId, access === null || access.revokedAt !== null);
        }
        for (const s of stale) s.endForAccess(revoked.get(s.agentId) ?? true);
      }
      // The first tick wakes every session too: another process may have committed between a session's hello and it.
      const head = await store.head();
      if (head !== lastHead) this.notify();
      lastHead = head;
    };
    const schedule = () => {
      cancel = options.clock.setTimer(options.intervalMs, () => {
        void tick()
          .catch((error: unknown) => options.log.error('access.watch_failed', { error: error instanceof Error ? error : String(error) }))
          .finally(() => {
            if (!stopped) schedule();
          });
      });
    };
    schedule();
    return () => {
      stopped = true;
      cancel();
    };
  }

  closeAll(code: number, reason: string): void {
    for (const s of [...this.byDevice.values()]) s.close(code, reason);
  }

  get size(): number {
    return this.byDevice.size;
  }
}

function deviceKey(agentId: string, deviceId: string): string {
  return `${agentId}\u0000${deviceId}`;
}
