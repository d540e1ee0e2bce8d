// Which device started each pending single sign-on login (by its state), so the session is bound to that device:
// ten minutes and one use, like the login itself, and bounded in memory.

const TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 10_000;

export class PendingDevices {
  private readonly byState = new Map<string, { deviceId: string; at: number }>();

  remember(state: string, deviceId: string, now: number): void {
    if (this.byState.size >= MAX_PENDING) this.sweep(now);
    // Still full of live logins: someone is starting logins in bulk; the oldest are forgotten (they fail as unknown).
    for (const key of this.byState.keys()) {
      if (this.byState.size < MAX_PENDING) break;
      this.byState.delete(key);
    }
    this.byState.set(state, { deviceId, at: now });
  }

  /** The device that started this login, once; null when unknown, used or too old. */
  take(state: string, now: number): string | null {
    const entry = this.byState.get(state);
    this.byState.delete(state);
    return entry === undefined || now - entry.at > TTL_MS ? null : entry.deviceId;
  }

  private sweep(now: number): void {
    for (const [state, entry] of this.byState) if (now - entry.at > TTL_MS) this.byState.delete(state);
  }
}
