// Fault: a TCP proxy between console and relay delays, throttles, stalls half-open, drops, cuts frames, refuses.
import { scanLogs } from '../support/checks';
import { makePlan, startConsoleProcess, type ConsoleProcess } from '../support/console-process';
import { CUSTOMERS, customersKeepWriting, customersSayHello, sleep } from '../support/customers';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { emptyFigures } from '../support/figures';
import { freshDir } from '../support/paths';
import { APP_SECRET, FAST_RELAY_ENV, startRelayProcess } from '../support/relay-process';
import type { Rng } from '../support/rng';
import { createRng } from '../support/rng';
import type { Scenario } from '../support/scenario';
import { settleAndCheck } from '../support/settle';
import { deliverUntilAccepted, inboundText } from '../support/webhooks';

const FAULTS = ['delay', 'throttle', 'stall', 'drop', 'cut-down', 'cut-up', 'refuse'] as const;
type LinkFault = (typeof FAULTS)[number];
/** The fast run declares links dead sooner, so a stall and a slow backlog each take a second or two. */
const LINK_TIMING = {
  fast: { RELAY_HEARTBEAT_MS: '200', RELAY_DEAD_AFTER_MS: '1000' },
  full: { RELAY_HEARTBEAT_MS: FAST_RELAY_ENV['RELAY_HEARTBEAT_MS']!, RELAY_DEAD_AFTER_MS: FAST_RELAY_ENV['RELAY_DEAD_AFTER_MS']! },
};

/** Applies one fault for a while and undoes it; returns how long the console took to notice a silent link, if it was one. */
async function inject(fault: LinkFault, proxy: FaultProxy, agent: ConsoleProcess, rng: Rng, deadAfterMs: number): Promise<number | null> {
  switch (fault) {
    case 'delay':
      proxy.delay(rng.int(100, 400));
      await sleep(rng.int(800, 2_000));
      proxy.delay(0);
      return null;
    case 'throttle':
      proxy.throttle(rng.int(4, 32) * 1024);
      await sleep(rng.int(800, 2_000));
      proxy.throttle(null);
      return null;
    case 'stall': {
      await agent.waitState((s) => s.status === 'live', 30_000, 'the console live before the stall', true);
      const since = Date.now();
      proxy.stall();
      let noticedAfter: number | null = null;
      try {
        await agent.waitState((s) => s.status !== 'live', deadAfterMs + 6_000, 'the console noticing a silent link', true);
        noticedAfter = Date.now() - since;
      } catch {
        noticedAfter = -1;
      }
      await sleep(rng.int(0, 1_000));
      proxy.forward();
      return noticedAfter;
    }
    case 'drop':
      proxy.dropAll();
      return null;
    case 'cut-down':
      proxy.cutNext('down');
      await sleep(rng.int(200, 800));
      return null;
    case 'cut-up':
      proxy.cutNext('up');
      await sleep(rng.int(200, 800));
      return null;
    case 'refuse':
      proxy.refuse(true);
      proxy.dropAll();
      await sleep(rng.int(300, 1_200));
      proxy.refuse(false);
      return null;
  }
}

export const network: Scenario = {
  name: 'network',
  title: 'a proxy between console and relay delays, throttles, stalls half-open, drops, cuts frames mid-way and refuses connections',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const timing = LINK_TIMING[ctx.scale];
    const deadAfterMs = Number(timing.RELAY_DEAD_AFTER_MS);
    const relay = await startRelayProcess(ctx, { env: timing });
    const proxy = await startFaultProxy(relay.port);
    ctx.defer(() => proxy.close());
    const url = () => relay.url;
    const hello = await customersSayHello(url, CUSTOMERS, 'nw');
    const plan = makePlan('nw', CUSTOMERS, fast ? 24 : 400, ctx.rng, fast ? 25 : 15);
    const agent = startConsoleProcess(ctx, { relayUrl: proxy.url, token: relay.token, dataDir: freshDir('console'), plan });
    await agent.waitState((s) => s.status === 'live', 30_000, 'the console going live');
    const writers = customersKeepWriting(ctx, url, CUSTOMERS, createRng(ctx.seed + 1), 'nw', fast ? 150 : 70);

    const schedule: LinkFault[] = fast
      ? ['stall', 'cut-down', 'drop']
      : [...ctx.rng.shuffle(FAULTS), ...Array.from({ length: 14 }, () => ctx.rng.pick(FAULTS))];
    const noticed: number[] = [];
    const counts = new Map<string, number>();
    for (const fault of schedule) {
      await sleep(ctx.rng.int(100, 600));
      const took = await inject(fault, proxy, agent, ctx.rng, deadAfterMs);
      figures.faults += 1;
      counts.set(fault, (counts.get(fault) ?? 0) + 1);
      if (took === -1) figures.violations.push(`a silent (half-open) link was not noticed within ${deadAfterMs + 6_000} ms`);
      else if (took !== null) noticed.push(took);
      ctx.log(`network: ${fault}${took === null ? '' : ` noticed after ${took} ms`}, queue ${agent.last()?.queued ?? '?'}`);
    }
    const inbound = [...hello, ...(await writers.stop())];
    await agent.waitState((s) => s.queuedAll, 60_000, 'the agent to have pressed Send on every message');

    // A backlog over a slow link: the console was away while customers wrote, and comes back over a thin line.
    // Each events frame then takes longer than the dead-link timeout to arrive: the link must not be dropped mid-frame.
    await agent.stop();
    const backlog = fast ? 30 : 400;
    for (let i = 0; i < backlog; i++) {
      const body = `nw backlog ${i.toString(36)} ${'long enough to fill the line '.repeat(8)}`;
      await deliverUntilAccepted(url, inboundText(ctx.rng.pick(CUSTOMERS), body).body);
      inbound.push(body);
    }
    const rate = fast ? 14 : 16;
    proxy.throttle(rate * 1024);
    figures.faults += 1;
    const connectionsBefore = proxy.accepted;
    const caughtUpFrom = Date.now();
    const back = startConsoleProcess(ctx, { relayUrl: proxy.url, token: relay.token, dataDir: agent.dataDir, plan });
    try {
      await back.waitState((s) => s.inbound >= inbound.length, fast ? 40_000 : 90_000, 'the console catching up over the slow link');
      figures.notes.push(
        `caught up with ${backlog} messages over ${rate} KB/s in ${((Date.now() - caughtUpFrom) / 1000).toFixed(1)} s on ${proxy.accepted - connectionsBefore} connection(s)`,
      );
    } catch {
      figures.violations.push(
        `the console did not catch up with a backlog of ${backlog} messages over ${rate} KB/s (${proxy.accepted - connectionsBefore} connections tried)`,
      );
    }
    proxy.throttle(null);

    const { figures: checked, settledMs } = await settleAndCheck({
      relayUrl: relay.url,
      consoleDir: agent.dataDir,
      expected: plan.expected,
      inbound,
      finalStatus: 'read',
      deadlineMs: fast ? 45_000 : 120_000,
      quietMs: fast ? 500 : 2_500,
    });
    await back.stop();
    await relay.stop();
    const secrets = [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...inbound, ...CUSTOMERS];
    scanLogs(relay.logLines, secrets, checked, 'the relay');
    scanLogs([...agent.child.err, ...back.child.err], secrets, checked, 'the console');
    checked.faults = figures.faults;
    checked.violations.unshift(...figures.violations);
    checked.notes.push(
      ...figures.notes,
      `faults: ${[...counts].map(([f, n]) => `${f} ${n}`).join(', ')}`,
      `half-open link noticed after ${noticed.length === 0 ? '—' : `${Math.min(...noticed)}–${Math.max(...noticed)} ms`} (dead after ${deadAfterMs} ms)`,
      `connections through the proxy: ${proxy.accepted}`,
      `settled ${(settledMs / 1000).toFixed(1)} s after the last fault`,
    );
    return checked;
  },
};
