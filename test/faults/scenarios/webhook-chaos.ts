// Fault: Meta's deliveries duplicated, concurrent, reordered and minutes late; statuses reversed, repeated and late.
import { scanLogs } from '../support/checks';
import { makePlan, readConsole, startConsoleProcess } from '../support/console-process';
import { CUSTOMERS, customersSayHello, sleep } from '../support/customers';
import { emptyFigures } from '../support/figures';
import { freshDir } from '../support/paths';
import { APP_SECRET, ledgerOf, startRelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { settleAndCheck } from '../support/settle';
import { deliverUntilAccepted, inboundText, postWebhook, statusDelivery } from '../support/webhooks';

const failedStatus = (wamid: string, to: string, bizOpaque: string | null): string =>
  statusDelivery(wamid, 'read', to, bizOpaque).replace('"status":"read"', '"status":"failed","errors":[{"code":131026,"title":"Message undeliverable"}]');

export const webhookChaos: Scenario = {
  name: 'webhook-chaos',
  title: 'webhook deliveries duplicated, concurrent, reordered and minutes late; statuses reversed, repeated and late',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    const url = () => relay.url;
    const hello = await customersSayHello(url, CUSTOMERS, 'wc');
    const plan = makePlan('wc', CUSTOMERS, fast ? 8 : 40, ctx.rng, 30);
    const agent = startConsoleProcess(ctx, { relayUrl: relay.url, token: relay.token, dataDir: freshDir('console'), plan });
    await agent.waitState((s) => s.status === 'live', 30_000, 'the console going live');

    // Inbound: each message has its own second (WhatsApp's timestamps have no finer precision); about one in five was
    // written more than ten minutes ago and is held back until the others are in.
    const count = fast ? 24 : 150;
    const base = Math.floor(Date.now() / 1000) * 1000 - count * 1000;
    const messages = Array.from({ length: count }, (_, i) => {
      const late = ctx.rng.next() < 0.2;
      const atMs = late ? base - (600 + count) * 1000 + i * 1000 : base + i * 1000;
      const to = ctx.rng.pick(CUSTOMERS);
      const body = `wc chaos ${i.toString(36)}`;
      return { to, body, atMs, late, delivery: inboundText(to, body, { atMs }).body };
    });
    const onTime = ctx.rng.shuffle(messages.filter((m) => !m.late));
    const held = messages.filter((m) => m.late);
    let deliveries = 0;
    for (const m of [...onTime, ...ctx.rng.shuffle(held)]) {
      const copies = ctx.rng.pick([1, 1, 2, 3]);
      // Copies go out at the same time: two POSTs of one wamid racing each other.
      const results = await Promise.all(Array.from({ length: copies }, () => postWebhook(relay.url, m.delivery)));
      deliveries += copies;
      if (results.some((r) => r !== 200)) figures.violations.push(`a valid delivery was refused (HTTP ${results.join(',')})`);
      if (ctx.rng.next() < 0.3) {
        await postWebhook(relay.url, m.delivery); // and once more, later
        deliveries += 1;
      }
    }
    figures.faults += deliveries - count + held.length;

    // Statuses: as soon as WhatsApp accepted a message, its read, delivered and sent arrive reversed (and repeated),
    // racing the fake phone's own in-order statuses; later a "failed" arrives after "read".
    await agent.waitState((s) => s.queuedAll, 60_000, 'the agent to have pressed Send on every message');
    const forged = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (forged.size < plan.messages.length && Date.now() < deadline) {
      for (const to of CUSTOMERS) {
        for (const entry of await ledgerOf(relay.url, to)) {
          if (forged.has(entry.wamid)) continue;
          forged.add(entry.wamid);
          for (const status of ['read', 'delivered', 'sent', 'read'] as const)
            await deliverUntilAccepted(url, statusDelivery(entry.wamid, status, to, entry.bizOpaque));
          figures.faults += 4;
        }
      }
      await sleep(30);
    }

    const { figures: checked, settledMs } = await settleAndCheck({
      relayUrl: relay.url,
      consoleDir: agent.dataDir,
      expected: plan.expected,
      inbound: [...hello, ...messages.map((m) => m.body)],
      finalStatus: 'read',
      deadlineMs: 45_000,
      quietMs: 0,
    });
    // Late "failed" (and "delivered") after "read": nothing may move back.
    for (const to of CUSTOMERS) {
      for (const entry of await ledgerOf(relay.url, to)) {
        await deliverUntilAccepted(url, failedStatus(entry.wamid, to, entry.bizOpaque));
        await deliverUntilAccepted(url, statusDelivery(entry.wamid, 'delivered', to, entry.bizOpaque));
        checked.faults += 2;
      }
    }
    const relayHead = relay.query<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'")[0]!.seq;
    await agent.waitState((s) => s.cursor === relayHead, 20_000, 'the console applying the late statuses', true).catch(() => undefined);
    const after = readConsole(agent.dataDir);
    const notRead = after.outbound.filter((m) => m.status !== 'read');
    if (notRead.length > 0) checked.violations.push(`wrong final status: a late "failed" or "delivered" moved ${notRead.length} message(s) back from read`);
    checked.statusWrong += notRead.length;

    // The agent sees each customer's messages in the order they wrote them, whatever order Meta delivered them in.
    const written = [...messages].sort((a, b) => a.atMs - b.atMs).map((m) => m.body);
    const shown = after.inbound.map((m) => m.body).filter((b): b is string => b !== null && b.startsWith('wc chaos '));
    if (JSON.stringify(shown) !== JSON.stringify(written)) {
      checked.outOfOrder += 1;
      checked.violations.push('out of order: inbound messages are not shown in the order customers wrote them');
    }
    // A delivery from minutes ago must not move the 24-hour window back.
    for (const to of CUSTOMERS) {
      const newest = Math.max(...messages.filter((m) => m.to === to).map((m) => m.atMs), 0);
      const row = relay.query<{ at: number }>(
        'SELECT c.last_inbound_at AS at FROM conversations c JOIN customers u ON u.id = c.customer_id WHERE u.wa_id = ?',
        to,
      )[0];
      if (newest > 0 && row !== undefined && row.at < newest) checked.violations.push(`a late delivery moved …${to.slice(-3)}'s 24-hour window back`);
    }
    await agent.stop();
    await relay.stop();
    const secrets = [relay.token, APP_SECRET, ...plan.messages.map((m) => m.body), ...messages.map((m) => m.body), ...CUSTOMERS];
    scanLogs(relay.logLines, secrets, checked, 'the relay');
    scanLogs(agent.child.err, secrets, checked, 'the console');
    checked.faults += figures.faults;
    checked.violations.unshift(...figures.violations);
    checked.notes.push(
      `${deliveries} deliveries for ${count} inbound messages (${held.length} held back minutes); ${forged.size} sends got reversed statuses`,
      `settled ${(settledMs / 1000).toFixed(1)} s`,
    );
    return checked;
  },
};
