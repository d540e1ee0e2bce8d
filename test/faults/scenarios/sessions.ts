// Fault: device sessions over a bad link. Access tokens of 9 s, so the console refreshes every 6 s, through a proxy that
// resets connections and loses answers (a refresh the relay acted on, whose answer never arrives) at random, seeded.
import { scanLogs } from '../support/checks';
import { makePlan, startConsoleProcess } from '../support/console-process';
import { CUSTOMERS, customersSayHello, sleep } from '../support/customers';
import { startFaultProxy } from '../support/fault-proxy';
import { emptyFigures } from '../support/figures';
import { freshDir } from '../support/paths';
import { APP_SECRET, startRelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { settleAndCheck } from '../support/settle';

const FAULTS = ['lose-refresh-answer', 'lose-refresh-answer', 'reset', 'refuse'] as const;
type SessionFault = (typeof FAULTS)[number];
const REFRESH = 'POST /v1/auth/refresh';

export const sessions: Scenario = {
  name: 'sessions',
  title: 'access tokens of 9 s refreshed through a proxy that resets connections and loses refresh answers: nobody signed out, no false reuse',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx, { env: { RELAY_AUTH_SESSION_MINUTES: '0.15' } });
    const proxy = await startFaultProxy(relay.port);
    ctx.defer(() => proxy.close());
    const hello = await customersSayHello(() => relay.url, CUSTOMERS, 'ss');
    const plan = makePlan('ss', CUSTOMERS, fast ? 20 : 80, ctx.rng, fast ? 200 : 300);
    const agent = startConsoleProcess(ctx, { relayUrl: proxy.url, token: relay.token, dataDir: freshDir('console'), plan, signIn: true });
    await agent.waitState((s) => s.status === 'live', 30_000, 'the console signed in and live');

    const counts = new Map<SessionFault, number>();
    const until = Date.now() + (fast ? 10_000 : 25_000);
    while (Date.now() < until) {
      await sleep(ctx.rng.int(300, 2_500));
      const fault = ctx.rng.pick(FAULTS);
      if (fault === 'lose-refresh-answer') proxy.loseNextAnswerTo(REFRESH);
      else if (fault === 'reset') proxy.dropAll();
      else {
        proxy.refuse(true);
        proxy.dropAll();
        await sleep(ctx.rng.int(200, 1_500));
        proxy.refuse(false);
      }
      figures.faults += 1;
      counts.set(fault, (counts.get(fault) ?? 0) + 1);
      ctx.log(`sessions: ${fault}, queue ${agent.last()?.queued ?? '?'}`);
    }
    await agent.waitState((s) => s.queuedAll, 60_000, 'the agent to have pressed Send on every message');

    const { figures: checked, settledMs } = await settleAndCheck({
      relayUrl: relay.url,
      consoleDir: agent.dataDir,
      expected: plan.expected,
      inbound: hello,
      finalStatus: 'read',
      deadlineMs: 45_000,
      quietMs: fast ? 500 : 2_000,
    });
    const consoleEvents = (event: string) => agent.child.err.filter((l) => l.includes(`"event":"${event}"`)).length;
    const signInAgain = consoleEvents('session.sign_in_again');
    if (signInAgain > 0) checked.violations.push(`the console asked the agent to sign in again ${signInAgain} time(s)`);
    const reused = relay.query<{ n: number }>("SELECT count(*) AS n FROM audit WHERE action = 'session.refresh_reused'")[0]?.n ?? 0;
    if (reused > 0) checked.violations.push(`${reused} refresh token reuse(s) recorded: a lost answer was taken for a theft`);
    const signIns = relay.query<{ n: number }>("SELECT count(*) AS n FROM audit WHERE action = 'session.signed_in'")[0]?.n ?? 0;
    const lostAnswers = proxy.answersLost;
    await agent.stop();
    await relay.stop();
    const retried = relay.logLines.filter((l) => l.includes('session.refresh_retried')).length;
    // Every token the relay issued is unknown here, so look for their shape: no bla_/blr_ token may reach a log line.
    const tokenShaped = [...relay.logLines, ...agent.child.err].filter((l) => /bl[ar]_[A-Za-z0-9_-]{20,}/.test(l)).length;
    if (tokenShaped > 0) checked.violations.push(`${tokenShaped} log line(s) carry a session token`);
    const secrets = [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...hello, ...CUSTOMERS];
    scanLogs(relay.logLines, secrets, checked, 'the relay');
    scanLogs(agent.child.err, secrets, checked, 'the console');
    checked.faults = figures.faults;
    checked.notes.push(
      `faults: ${[...counts].map(([f, n]) => `${f} ${n}`).join(', ')}; refresh answers lost ${lostAnswers}`,
      `refreshes ${consoleEvents('session.refreshed')}, put off ${consoleEvents('session.refresh_deferred')}, retried within the grace ${retried}; sign-ins ${signIns}, asked to sign in again ${signInAgain}`,
      `connections through the proxy: ${proxy.accepted}; settled ${(settledMs / 1000).toFixed(1)} s after the last fault`,
    );
    return checked;
  },
};
