// Fault: the console's database fills up or turns read-only while the agent sends and customers write.
import { waitFor } from '../../../src/relay/test-support/relay-harness';
import { checkInbound, checkOutbound, checkStatuses, scanLogs } from '../support/checks';
import { readConsole } from '../support/console-process';
import { CUSTOMERS, customersSayHello } from '../support/customers';
import { emptyFigures, type Figures } from '../support/figures';
import { startInProcessConsole, type InProcessConsole } from '../support/in-process-console';
import { APP_SECRET, startRelayProcess } from '../support/relay-process';
import type { Rng } from '../support/rng';
import type { Scenario } from '../support/scenario';
import { deliverUntilAccepted, inboundText } from '../support/webhooks';

type Trouble = 'full' | 'readonly';

interface Sent {
  expected: Map<string, string[]>;
  bodies: string[];
}

/** The agent presses Send on `count` messages: what was saved must go out; what was refused must say why. */
async function agentSends(agent: InProcessConsole, tag: string, count: number, rng: Rng, sent: Sent, figures: Figures, trouble: Trouble | null): Promise<void> {
  const expectedCode = trouble === 'full' ? 'storage_full' : 'storage_readonly';
  for (let i = 0; i < count; i++) {
    const to = rng.pick(CUSTOMERS);
    const body = `dk ${tag} ${i.toString(36)} ${'padding to fill pages '.repeat(trouble === 'full' ? 40 : 1)}`.trim();
    const result = await agent.service.call('messages.sendText', { conversationId: agent.conversationOf(to)!, body });
    if (result.ok) {
      sent.expected.get(to)!.push(body);
      sent.bodies.push(body);
    } else if (trouble === null || result.error.code !== expectedCode) {
      figures.violations.push(`a send during "${trouble ?? 'no trouble'}" was refused with ${result.error.code} ("${result.error.message}")`);
    }
  }
}

export const disk: Scenario = {
  name: 'disk',
  title: "the console's database fills up (SQLITE_FULL) or turns read-only while the agent sends and customers write",
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    const url = () => relay.url;
    const inbound = await customersSayHello(url, CUSTOMERS, 'dk');
    const agent = await startInProcessConsole(ctx, { relayUrl: relay.url, token: relay.token });
    await waitFor('the console to sync', () => (CUSTOMERS.every((c) => agent.conversationOf(c) !== null) ? true : undefined), 30_000);
    const sent: Sent = { expected: new Map(CUSTOMERS.map((c) => [c, []])), bodies: [] };
    const db = agent.store.db;

    const rounds: Trouble[] = fast ? ['full', 'readonly'] : ['full', 'readonly', 'full', 'readonly', 'full', 'readonly'];
    let toldDisconnected = 0;
    for (const [round, trouble] of rounds.entries()) {
      await agentSends(agent, `r${round} before`, fast ? 4 : 10, ctx.rng, sent, figures, null);
      const statesBefore = agent.connectionStates().length;
      if (trouble === 'full') db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      else db.pragma('query_only = 1');
      figures.faults += 1;
      // The agent keeps pressing Send: each is saved (a page was still free) or refused with the disk's reason.
      await agentSends(agent, `r${round} during`, fast ? 6 : 15, ctx.rng, sent, figures, trouble);
      // Customers keep writing: the relay takes it, the console cannot store it and must not ack it.
      for (let i = 0; i < (fast ? 5 : 12); i++) {
        const body = `dk r${round} customer ${i.toString(36)} ${'a longer message to need new pages '.repeat(200)}`.trim();
        await deliverUntilAccepted(url, inboundText(ctx.rng.pick(CUSTOMERS), body).body);
        inbound.push(body);
      }
      // The UI hears that the link is not live while events cannot be stored.
      try {
        await waitFor(
          'the UI being told',
          () =>
            agent
              .connectionStates()
              .slice(statesBefore)
              .some((s) => s.status !== 'live' && s.detail !== null)
              ? true
              : undefined,
          15_000,
        );
        toldDisconnected += 1;
      } catch {
        figures.violations.push(`the UI was not told that received messages cannot be stored (${trouble})`);
      }
      if (trouble === 'full') db.pragma('max_page_count = 1073741823');
      else db.pragma('query_only = 0');
      agent.core.networkChanged(true); // as the OS would on a change; also skips the backoff wait
    }

    const deadline = Date.now() + (fast ? 45_000 : 90_000);
    let checked: Figures;
    for (;;) {
      checked = emptyFigures();
      await checkOutbound(relay.url, sent.expected, checked);
      const record = readConsole(agent.dataDir);
      checkInbound(record, inbound, checked);
      checkStatuses(record, sent.bodies, 'read', checked);
      if ((checked.lost + checked.inboundMissing + checked.statusWrong === 0 && record.queued === 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await relay.stop();
    const secrets = [relay.token, APP_SECRET, ...sent.bodies, ...inbound, ...CUSTOMERS];
    scanLogs(relay.logLines, secrets, checked, 'the relay');
    scanLogs(agent.logLines, secrets, checked, 'the console');
    checked.faults = figures.faults;
    checked.violations.unshift(...figures.violations);
    const refusedFull = agent.logLines.filter((l) => l.includes('"code":"storage_full"')).length;
    const refusedRo = agent.logLines.filter((l) => l.includes('"code":"storage_readonly"')).length;
    checked.notes.push(
      `sends refused: ${refusedFull} disk full, ${refusedRo} read-only`,
      `UI told of the stalled link in ${toldDisconnected}/${rounds.length} rounds`,
    );
    return checked;
  },
};
