// Waits (bounded) until a run has settled, then checks every invariant once, and once more after a quiet spell.
import { allBodies, checkInbound, checkOutbound, checkStatuses } from './checks';
import { readConsole } from './console-process';
import { addFigures, emptyFigures, problems, type Figures } from './figures';
import { sleep } from './customers';

export interface SettleInput {
  relayUrl: string;
  consoleDir: string;
  expected: ReadonlyMap<string, readonly string[]>;
  inbound: readonly string[];
  /** The status every sent message must end in; null to skip. */
  finalStatus: 'read' | null;
  deadlineMs: number;
  /** After everything looked right, wait this long and look at the ledger again: a late resend would show. */
  quietMs: number;
}

/** Returns the figures of the final check, and how long settling took. */
export async function settleAndCheck(input: SettleInput): Promise<{ figures: Figures; settledMs: number }> {
  const started = Date.now();
  const deadline = started + input.deadlineMs;
  for (;;) {
    const trial = emptyFigures();
    await checkOutbound(input.relayUrl, input.expected, trial);
    const record = readConsole(input.consoleDir);
    checkInbound(record, input.inbound, trial);
    if (input.finalStatus !== null) checkStatuses(record, allBodies(input.expected), input.finalStatus, trial);
    const done = problems(trial).length === 0 && record.queued === 0;
    if (done || Date.now() > deadline) {
      const settledMs = Date.now() - started;
      if (!done) trial.violations.push(`did not settle within ${input.deadlineMs} ms (${record.queued} still queued in the console)`);
      if (done && input.quietMs > 0) {
        await sleep(input.quietMs);
        const again = emptyFigures();
        await checkOutbound(input.relayUrl, input.expected, again);
        if (again.duplicated > 0 || again.lost > 0) return { figures: addFigures({ ...trial, sent: 0 }, again), settledMs };
      }
      return { figures: trial, settledMs };
    }
    await sleep(200);
  }
}
