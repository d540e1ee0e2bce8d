// A wall clock with sub-millisecond resolution that two processes on one machine can compare.

/** Milliseconds since the Unix epoch, from the high-resolution timer. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
