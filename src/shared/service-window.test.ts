import { describe, expect, it } from 'vitest';
import { SERVICE_WINDOW_MS, isWindowOpen, windowExpiresAt, windowRemainingMs } from './service-window';

const HOUR = 60 * 60 * 1000;
const t0 = Date.UTC(2026, 10, 24, 9, 0, 0);

describe('24-hour service window', () => {
  it.each([
    // last inbound, now, open?, remaining
    [null, t0, false, 0],
    [t0, t0, true, SERVICE_WINDOW_MS],
    [t0, t0 + 23 * HOUR, true, HOUR],
    [t0, t0 + SERVICE_WINDOW_MS - 1, true, 1],
    [t0, t0 + SERVICE_WINDOW_MS, false, 0],
    [t0, t0 + 72 * HOUR, false, 0],
    // A clock that stepped backwards: the window is still measured from the message, and stays open.
    [t0, t0 - 2 * HOUR, true, SERVICE_WINDOW_MS + 2 * HOUR],
  ] as const)('last inbound %s, now %s: open=%s, %i ms left', (last, now, open, remaining) => {
    expect(isWindowOpen(last, now)).toBe(open);
    expect(windowRemainingMs(last, now)).toBe(remaining);
  });

  it('closes exactly 24 hours after the last inbound message', () => {
    expect(windowExpiresAt(t0)).toBe(t0 + 24 * HOUR);
    expect(windowExpiresAt(null)).toBeNull();
  });
});
