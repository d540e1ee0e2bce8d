// Sizes and durations of a full run and of --quick (under two minutes on two cores).

export interface BenchConfig {
  mode: 'full' | 'quick';
  /** Runs per figure (median, min, max). */
  runs: number;
  ingestMessages: number;
  latencyPerSecond: number;
  latencySeconds: number;
  flushMessages: number;
  /** Flush runs (fewer in --quick: each restarts the relay and may wait for a stall to show). */
  flushRuns: number;
  /** Longest a flush run may take before it is reported unfinished. */
  flushTimeoutMs: number;
  catchupEvents: number;
  uiConversations: number;
  uiBigMessages: number;
  uiBurst: number;
  uiRuns: number;
  soakMs: number;
  /** Relay intake: how long each run posts, how many clients at once, and messages in each webhook. */
  relayIntakeSeconds: number;
  relayIntakeSenders: number;
  relayIntakePerBody: number;
}

export function benchConfig(quick: boolean): BenchConfig {
  return quick
    ? {
        mode: 'quick',
        runs: 3,
        ingestMessages: 20_000,
        latencyPerSecond: 200,
        latencySeconds: 3,
        flushMessages: 1_000,
        flushRuns: 2,
        flushTimeoutMs: 30_000,
        catchupEvents: 5_000,
        uiConversations: 2_000,
        uiBigMessages: 20_000,
        uiBurst: 500,
        uiRuns: 1,
        soakMs: 20_000,
        relayIntakeSeconds: 3,
        relayIntakeSenders: 8,
        relayIntakePerBody: 10,
      }
    : {
        mode: 'full',
        runs: 3,
        ingestMessages: 100_000,
        latencyPerSecond: 200,
        latencySeconds: 10,
        flushMessages: 5_000,
        flushRuns: 3,
        flushTimeoutMs: 120_000,
        catchupEvents: 20_000,
        uiConversations: 2_000,
        uiBigMessages: 20_000,
        uiBurst: 500,
        uiRuns: 3,
        soakMs: 5 * 60_000,
        relayIntakeSeconds: 10,
        relayIntakeSenders: 8,
        relayIntakePerBody: 10,
      };
}
