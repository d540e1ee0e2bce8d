// Every connected device: told when events are committed; one live connection per (agent, device).
import { CloseCode } from '../shared/protocol';
import type { AgentSession } from './agent-session';

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
