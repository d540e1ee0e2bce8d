// Fault: fake WhatsApp's Graph API answers 500s, hangs, 130429 storms, accepts then hangs, then recovers.
import { scanLogs } from '../support/checks';
import { makePlan, startConsoleProcess } from '../support/console-process';
import { CUSTOMERS, customersSayHello, sleep } from '../support/customers';
import { emptyFigures } from '../support/figures';
import { freshDir } from '../support/paths';
import { APP_SECRET, setGraphFault, startRelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { settleAndCheck } from '../support/settle';

const MODES = ['error500', 'throttle', 'hang', 'accept_then_hang'] as const;

async function faultConsumed(relayUrl: string, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${relayUrl}/sandbox/faults`);
    if (((await res.json()) as { graph: { mode: string } }).graph.mode === 'none') return true;
    await sleep(50);
  }
  return false;
}

export const graphFaults: Scenario = {
  name: 'graph-faults',
  title: 'the Graph API answers 500s, times out, throttles (130429 storms), accepts then hangs, then recovers',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    const hello = await customersSayHello(() => relay.url, CUSTOMERS, 'gf');
    const plan = makePlan('gf', CUSTOMERS, fast ? 16 : 240, ctx.rng, fast ? 20 : 25);
    const agent = startConsoleProcess(ctx, { relayUrl: relay.url, token: relay.token, dataDir: freshDir('console'), plan });
    await agent.waitState((s) => s.status === 'live', 30_000, 'the console going live');

    const rounds: { mode: (typeof MODES)[number]; count: number }[] = fast
      ? MODES.filter((mode) => mode !== 'hang').map((mode) => ({ mode, count: mode === 'throttle' ? 3 : 1 }))
      : Array.from({ length: 14 }, (_, i) => ({ mode: i < MODES.length ? MODES[i]! : ctx.rng.pick(MODES), count: ctx.rng.int(1, 10) }));
    // A storm: many throttled answers in a row, as Meta gives when the number's throughput is exceeded.
    if (!fast) rounds.push({ mode: 'throttle', count: 60 });
    const used = new Map<string, number>();
    for (const { mode, count } of rounds) {
      await setGraphFault(relay.url, mode, count);
      const consumed = await faultConsumed(relay.url, 30_000);
      figures.faults += count;
      used.set(mode, (used.get(mode) ?? 0) + count);
      if (!consumed) {
        // Nothing left to send: the rest of the fault is cleared, not counted.
        await setGraphFault(relay.url, 'none');
        break;
      }
      ctx.log(`graph-faults: ${mode} ×${count}, queue ${agent.last()?.queued ?? '?'}`);
    }
    await setGraphFault(relay.url, 'none');
    await agent.waitState((s) => s.queuedAll, 60_000, 'the agent to have pressed Send on every message');
    const { figures: checked, settledMs } = await settleAndCheck({
      relayUrl: relay.url,
      consoleDir: agent.dataDir,
      expected: plan.expected,
      inbound: hello,
      finalStatus: 'read',
      deadlineMs: fast ? 45_000 : 120_000,
      quietMs: fast ? 500 : 3_000,
    });
    await agent.stop();
    await relay.stop();
    const secrets = [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...hello, ...CUSTOMERS];
    scanLogs(relay.logLines, secrets, checked, 'the relay');
    scanLogs(agent.child.err, secrets, checked, 'the console');
    const retries = relay.logLines.filter((l) => l.includes('"event":"outbound.retry"')).length;
    checked.faults = figures.faults;
    checked.notes.push(
      `Graph faults: ${[...used].map(([m, n]) => `${m} ${n}`).join(', ')}`,
      `relay retries logged: ${retries}`,
      `settled ${(settledMs / 1000).toFixed(1)} s after recovery`,
    );
    return checked;
  },
};
