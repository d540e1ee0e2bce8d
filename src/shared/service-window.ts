// WhatsApp's 24-hour customer-service window: free text only within 24 h of the customer's last message.

export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window closes, or null if the customer has never written (only templates may open it). */
export function windowExpiresAt(lastInboundAt: number | null): number | null {
  return lastInboundAt === null ? null : lastInboundAt + SERVICE_WINDOW_MS;
}

export function isWindowOpen(lastInboundAt: number | null, nowMs: number): boolean {
  const expires = windowExpiresAt(lastInboundAt);
  return expires !== null && nowMs < expires;
}

/** Milliseconds left in the window (0 when closed): for countdowns. */
export function windowRemainingMs(lastInboundAt: number | null, nowMs: number): number {
  const expires = windowExpiresAt(lastInboundAt);
  return expires === null ? 0 : Math.max(0, expires - nowMs);
}
