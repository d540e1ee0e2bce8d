// Fault: the relay is SIGKILLed at random moments while the console's outbox drains, then restarted on the same port and data.
import { scanLogs } from '../support/checks';
import { startConsoleProcess, makePlan } from '../support/console-process';
import { CUSTOMERS, customersKeepWriting, customersSayHello, sleep } from '../support/customers';
import { emptyFigures } from '../support/figures';
import { freshDir } from '../support/paths';
import { APP_SECRET, startRelayProcess } from '../support/relay-process';
import { createRng } from '../support/rng';
import type { Scenario } from '../support/scenario';
import { settleAndCheck } from '../support/settle';

export const relayKill: Scenario = {
  name: 'relay-kill',
  title: 'relay SIGKILLed at random points while the outbox drains and customers write; restarted with the same data and port',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    const url = () => relay.url;
    const hello = await customersSayHello(url, CUSTOMERS, 'rk');
    const plan = makePlan('rk', CUSTOMERS, fast ? 30 : 500, ctx.rng, fast ? 10 : 12);
    const agent = startConsoleProcess(ctx, { relayUrl: relay.url, token: relay.token, dataDir: freshDir('console'), plan });
    await agent.waitState((s) => s.status === 'live', 30_000, 'the console going live');
    const writers = customersKeepWriting(ctx, url, CUSTOMERS, createRng(ctx.seed + 1), 'rk', fast ? 150 : 60);

    const kills = fast ? 1 : 16;
    for (let k = 0; k < kills; k++) {
      await sleep(ctx.rng.int(50, fast ? 500 : 900));
      await relay.kill();
      figures.faults += 1;
      await sleep(ctx.rng.int(0, 600));
      await relay.restart();
      ctx.log(`relay-kill: kill ${k + 1}/${kills}, console queue ${agent.last()?.queued ?? '?'}`);
    }
    const inbound = [...hello, ...(await writers.stop())];
    await agent.waitState((s) => s.queuedAll, 60_000, 'the agent to have pressed Send on every message');
    const { figures: checked, settledMs } = await settleAndCheck({
      relayUrl: relay.url,
      consoleDir: agent.dataDir,
      expected: plan.expected,
      inbound,
      finalStatus: 'read',
      deadlineMs: fast ? 45_000 : 120_000,
      quietMs: fast ? 500 : 2_500,
    });
    await agent.stop();
    await relay.stop();
    scanLogs(relay.logLines, [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...inbound, ...CUSTOMERS], checked, 'the relay');
    scanLogs(agent.child.err, [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...inbound, ...CUSTOMERS], checked, 'the console');
    checked.faults = figures.faults;
    checked.notes.push(`relay starts: ${relay.starts}`, `settled ${(settledMs / 1000).toFixed(1)} s after the last restart`);
    return checked;
  },
};
