// Fault: the console is SIGKILLed at random points of queueing, sending, taking the relay's answer, applying and acking.
import { scanLogs } from '../support/checks';
import { isLive, makePlan, startConsoleProcess } from '../support/console-process';
import { CUSTOMERS, customersKeepWriting, customersSayHello, sleep } from '../support/customers';
import { emptyFigures } from '../support/figures';
import { freshDir } from '../support/paths';
import { APP_SECRET, startRelayProcess } from '../support/relay-process';
import { createRng } from '../support/rng';
import type { Scenario } from '../support/scenario';
import { settleAndCheck } from '../support/settle';

/** Where console-main.ts kills itself; 'anywhere' is a SIGKILL from outside at a random moment. */
const POINTS = ['queue', 'send-before', 'send-after', 'send-answer', 'accept', 'apply-mid', 'ack', 'anywhere'] as const;

export const consoleKill: Scenario = {
  name: 'console-kill',
  title: 'console SIGKILLed at random points of send, answer, apply and ack while customers write; restarted on the same data',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    const url = () => relay.url;
    const hello = await customersSayHello(url, CUSTOMERS, 'ck');
    const plan = makePlan('ck', CUSTOMERS, fast ? 24 : 300, ctx.rng, fast ? 15 : 60);
    const dataDir = freshDir('console');
    const writers = customersKeepWriting(ctx, url, CUSTOMERS, createRng(ctx.seed + 1), 'ck', fast ? 120 : 80);
    const reached = new Map<string, number>();
    const consoleLogs: string[][] = [];
    let polled = 0;

    // Every point at least once (in random order), then random ones.
    const rounds = fast ? ['send-answer', 'apply-mid'] : [...ctx.rng.shuffle(POINTS), ...Array.from({ length: 8 }, () => ctx.rng.pick(POINTS))];
    for (const [round, point] of rounds.entries()) {
      const nth = ctx.rng.int(1, fast ? 2 : 6);
      // The full run alternates transports: the long-polling fallback commits and acks the same way and must survive the same kills.
      const transport = !fast && round % 2 === 1 ? 'poll' : 'ws';
      const agent = startConsoleProcess(ctx, {
        relayUrl: relay.url,
        token: relay.token,
        dataDir,
        plan,
        transport,
        ...(point === 'anywhere' ? {} : { crash: `${point}:${nth}` }),
      });
      consoleLogs.push(agent.child.err);
      await Promise.race([agent.child.exited, agent.waitState(isLive, 30_000, 'the console going live').catch(() => undefined)]);
      // The point may never come (everything already sent): then it dies from outside, like 'anywhere'.
      const outcome = await Promise.race([
        agent.child.exited.then(() => 'crashed' as const),
        sleep(ctx.rng.int(100, fast ? 1_500 : 2_500)).then(() => 'timer' as const),
      ]);
      if (outcome === 'timer') await agent.kill();
      const where = agent.crashed() ? point : 'anywhere';
      reached.set(where, (reached.get(where) ?? 0) + 1);
      figures.faults += 1;
      if (transport === 'poll') polled += 1;
      ctx.log(`console-kill: killed at ${where} (${point}:${nth}, ${transport}), queue ${agent.last()?.queued ?? '?'}`);
    }
    const inbound = [...hello, ...(await writers.stop())];
    const last = startConsoleProcess(ctx, { relayUrl: relay.url, token: relay.token, dataDir, plan });
    await last.waitState((s) => s.queuedAll, 60_000, 'the agent to have pressed Send on every message');
    const { figures: checked, settledMs } = await settleAndCheck({
      relayUrl: relay.url,
      consoleDir: dataDir,
      expected: plan.expected,
      inbound,
      finalStatus: 'read',
      deadlineMs: fast ? 45_000 : 120_000,
      quietMs: fast ? 500 : 2_500,
    });
    await last.stop();
    await relay.stop();
    const secrets = [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...inbound, ...CUSTOMERS];
    scanLogs(relay.logLines, secrets, checked, 'the relay');
    scanLogs([...consoleLogs.flat(), ...last.child.err], secrets, checked, 'the console');
    checked.faults = figures.faults;
    checked.notes.push(
      `kills by point: ${[...reached].map(([p, n]) => `${p} ${n}`).join(', ')} (${polled} of them over long polling)`,
      `settled ${(settledMs / 1000).toFixed(1)} s after the last restart`,
    );
    return checked;
  },
};
