// A clock for countdowns and relative times: re-renders every `intervalMs` while `enabled`.
import { useEffect, useState } from 'react';

export function useNow(intervalMs: number, enabled = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    // Catch up at once when re-enabled (a countdown must not start from a stale time), then tick.
    const first = window.setTimeout(() => setNow(Date.now()), 0);
    const handle = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => {
      window.clearTimeout(first);
      window.clearInterval(handle);
    };
  }, [intervalMs, enabled]);
  return now;
}
