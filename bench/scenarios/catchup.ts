// Scenario 4: the console is disconnected while events pile up on the relay; time from reconnect to caught up (committed and acked).
import { planForEvents } from '../lib/generate';
import { startStack } from '../lib/stack';

export interface CatchupRun {
  ms: number;
  /** From reconnect to the relay's hello (the link is live). */
  helloMs: number;
  commitShare: number;
}

export async function catchupRun(events: number, run: number): Promise<CatchupRun> {
  const stack = await startStack('catchup');
  try {
    await stack.console.call('disconnect');
    const plan = planForEvents(events, 50);
    const generated = await stack.relay.call<{ head: number }>('generate', { messages: plan.messages, perBatch: plan.perBatch, tag: `c${run}` }, 600_000);
    if (generated.head !== events) throw new Error(`expected ${events} events on the relay, found ${generated.head}`);
    await stack.console.call('resetStats');
    // Both times are read in the console's process, on its clock.
    const back = await stack.console.call<{ at: number }>('reconnect');
    const acked = await stack.console.call<{ at: number; liveAt: number; commitMs: number }>('waitAcked', { seq: generated.head, timeoutMs: 300_000 }, 310_000);
    const ms = acked.at - back.at;
    return { ms, helloMs: acked.liveAt - back.at, commitShare: acked.commitMs / ms };
  } finally {
    await stack.close();
  }
}
