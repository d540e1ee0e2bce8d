// Fault: the console's wall clock jumps hours and days both ways; backoff, outbox and the 24-hour window still behave.
import { DEFAULT_BACKOFF } from '../../../src/shared/backoff';
import { waitFor } from '../../../src/relay/test-support/relay-harness';
import { checkOutbound, checkStatuses, scanLogs } from '../support/checks';
import { readConsole } from '../support/console-process';
import { backoffUnderJumps, DAY, HOUR, outboxUnderJump, skewableClock } from '../support/clock-probes';
import { CUSTOMERS, customersSayHello, sleep } from '../support/customers';
import { emptyFigures } from '../support/figures';
import { startInProcessConsole } from '../support/in-process-console';
import { APP_SECRET, ledgerOf, startRelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { deliverUntilAccepted, inboundText } from '../support/webhooks';

/** Wrote 25 hours ago: its window is closed for the relay. */
const QUIET_CUSTOMER = '972500000199';

export const clockJumps: Scenario = {
  name: 'clock-jumps',
  title: "the console's wall clock jumps hours and days both ways: backoff, outbox retries and the 24-hour window still behave",
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    await backoffUnderJumps(ctx, figures);

    const relay = await startRelayProcess(ctx);
    const url = () => relay.url;
    const hello = await customersSayHello(url, CUSTOMERS, 'cj');
    await deliverUntilAccepted(url, inboundText(QUIET_CUSTOMER, 'cj wrote yesterday', { atMs: Date.now() - 25 * HOUR }).body);
    const clock = skewableClock();
    const agent = await startInProcessConsole(ctx, { relayUrl: relay.url, token: relay.token, clock });
    await waitFor('the console to sync', () => ([...CUSTOMERS, QUIET_CUSTOMER].every((c) => agent.conversationOf(c) !== null) ? true : undefined), 30_000);
    const expected = new Map<string, string[]>(CUSTOMERS.map((c) => [c, []]));
    const bodies: string[] = [];

    // The agent keeps sending while the clock jumps around; sends the console's own clock calls too late are refused
    // by it (its window check), everything it saved must reach WhatsApp once, in order.
    const offsets = [0, HOUR, -HOUR, 12 * HOUR, -12 * HOUR, 23 * HOUR, DAY + HOUR, -2 * DAY, -7 * DAY];
    let refusedLocally = 0;
    for (let i = 0; i < (fast ? 16 : 80); i++) {
      if (i % 4 === 0) {
        clock.jump(ctx.rng.pick(offsets) - clock.offset());
        figures.faults += 1;
      }
      const to = ctx.rng.pick(CUSTOMERS);
      const body = `cj note ${i.toString(36)}`;
      const result = await agent.service.call('messages.sendText', { conversationId: agent.conversationOf(to)!, body });
      const windowClosedHere = clock.offset() >= DAY - 60_000;
      if (result.ok) {
        expected.get(to)!.push(body);
        bodies.push(body);
      } else if (result.error.code === 'template_required' && windowClosedHere) refusedLocally += 1;
      else figures.violations.push(`a send with the clock ${clock.offset() / HOUR} h off was refused: ${result.error.code}`);
    }
    clock.jump(-clock.offset());

    // A clock a day ahead: free text is refused before it is queued, a template still goes.
    clock.jump(DAY + HOUR);
    const text = await agent.service.call('messages.sendText', { conversationId: agent.conversationOf(CUSTOMERS[0])!, body: 'cj ahead text' });
    if (text.ok || text.error.code !== 'template_required')
      figures.violations.push('with the clock a day ahead, free text was not refused with template_required');
    const template = await agent.service.call('messages.sendTemplate', {
      conversationId: agent.conversationOf(CUSTOMERS[0])!,
      name: 'branch_follow_up',
      language: 'en_US',
      parameters: ['Dana', 'Herzl St.'],
    });
    if (!template.ok) figures.violations.push(`with the clock a day ahead, a template was refused: ${template.error.code}`);
    clock.jump(-clock.offset());

    // A clock two days behind: the console thinks the quiet customer's window is open; the relay's clock decides.
    clock.jump(-2 * DAY);
    const behind = await agent.service.call('messages.sendText', { conversationId: agent.conversationOf(QUIET_CUSTOMER)!, body: 'cj behind text' });
    clock.jump(-clock.offset());
    figures.faults += 2;
    if (!behind.ok)
      figures.violations.push(`with the clock behind, the console refused a send itself (${behind.error.code}) instead of leaving it to the relay`);
    else {
      const id = (behind.value as { message: { id: string } }).message.id;
      await waitFor('the relay refusing it', () => (agent.store.message(id)?.status === 'failed' ? true : undefined), 20_000).catch(() => undefined);
      const failed = agent.store.message(id);
      if (failed?.status !== 'failed' || failed.failure?.code !== 'template_required')
        figures.violations.push(`a free text past the relay's 24-hour window ended as ${failed?.status ?? 'absent'} (${failed?.failure?.code ?? 'no reason'})`);
      if ((await ledgerOf(relay.url, QUIET_CUSTOMER)).length > 0) figures.violations.push('a free text past the 24-hour window reached WhatsApp');
    }

    // Everything saved reaches WhatsApp once, in order, and is read.
    let checked = emptyFigures();
    const deadline = Date.now() + (fast ? 30_000 : 60_000);
    for (;;) {
      checked = emptyFigures();
      await checkOutbound(relay.url, expected, checked);
      checkStatuses(readConsole(agent.dataDir), bodies, 'read', checked);
      if (checked.lost + checked.statusWrong === 0 || Date.now() > deadline) break;
      await sleep(250);
    }
    const templates = (await ledgerOf(relay.url, CUSTOMERS[0])).filter((m) => m.text === undefined).length;
    if (template.ok && templates !== 1) checked.violations.push(`the template sent with the clock ahead reached WhatsApp ${templates} times`);

    // The outbox under a clock set back an hour, with the relay unreachable: it keeps retrying on its backoff.
    const drain = await outboxUnderJump();
    figures.faults += 1;
    if (drain.retries < 2)
      figures.violations.push(`after the clock went back an hour the outbox retried ${drain.retries} time(s) in ${(DEFAULT_BACKOFF.capMs * 2) / 1000} s`);
    await relay.stop();
    scanLogs(relay.logLines, [relay.token, APP_SECRET, ...bodies, ...hello, ...CUSTOMERS], checked, 'the relay');
    scanLogs(agent.logLines, [relay.token, APP_SECRET, ...bodies, ...hello, ...CUSTOMERS], checked, 'the console');
    checked.faults = figures.faults;
    checked.violations.unshift(...figures.violations);
    checked.notes.push(
      ...figures.notes,
      `sends refused by the console's own window check while its clock was a day ahead: ${refusedLocally}`,
      `outbox retries in ${(DEFAULT_BACKOFF.capMs * 2) / 1000} s after the clock went back an hour: ${drain.retries}`,
    );
    return checked;
  },
};
