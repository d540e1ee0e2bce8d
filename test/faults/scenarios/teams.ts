// Need-to-know under load: a supervisor moves conversations between teams and agents are revoked from the command line
// while customers write to both teams' numbers and agents reply. Nothing is lost or doubled, every device's stream stays
// gap-free, and no device is ever handed an event about a conversation its agent could not see at that seq.
import { generateAgentToken, hashAgentToken } from '../../../src/relay/agent-tokens';
import type { Role } from '../../../src/shared/domain';
import { openSqliteRelayStore } from '../../../src/relay/store/relay-db';
import { uuidv7 } from '../../../src/relay/test-support/docs-client';
import { scrapeMetrics } from '../../../src/relay/test-support/metrics-scrape';
import { scanLogs } from '../support/checks';
import { runTsx } from '../support/child';
import { sleep } from '../support/customers';
import { emptyFigures, type Figures } from '../support/figures';
import { RELAY_CLI } from '../support/paths';
import { APP_SECRET, FAST_RELAY_ENV, ledgerOf, METRICS_TOKEN, startRelayProcess, type RelayProcess } from '../support/relay-process';
import type { Rng } from '../support/rng';
import type { Scenario } from '../support/scenario';
import { NORTH_IDENTITY, customerWrites, openTeamDevice, seqFacts, type TeamDevice } from '../support/team-devices';
import { IDENTITY } from '../support/webhooks';

interface AgentSpec {
  readonly id: string;
  readonly teams: readonly string[];
  readonly role: Role;
  /** Revoked from the command line during the run. */
  readonly revoked: boolean;
  readonly devices: readonly { transport: 'ws' | 'poll'; version: 1 | 2 }[];
}

const AGENTS: readonly AgentSpec[] = [
  {
    id: 'm1',
    teams: ['main'],
    role: 'agent',
    revoked: false,
    devices: [
      { transport: 'ws', version: 2 },
      { transport: 'poll', version: 1 },
    ],
  },
  {
    id: 'm2',
    teams: ['main'],
    role: 'agent',
    revoked: true,
    devices: [
      { transport: 'ws', version: 2 },
      { transport: 'poll', version: 2 },
    ],
  },
  { id: 'n1', teams: ['north'], role: 'agent', revoked: false, devices: [{ transport: 'poll', version: 2 }] },
  {
    id: 'n2',
    teams: ['north'],
    role: 'agent',
    revoked: true,
    devices: [
      { transport: 'ws', version: 2 },
      { transport: 'ws', version: 1 },
    ],
  },
  { id: 'sup', teams: ['main', 'north'], role: 'supervisor', revoked: false, devices: [{ transport: 'ws', version: 2 }] },
  { id: 'adm', teams: ['main'], role: 'admin', revoked: false, devices: [{ transport: 'ws', version: 2 }] },
];
const MAIN_CUSTOMERS = ['972500000301', '972500000302', '972500000303'];
const NORTH_CUSTOMERS = ['972500000401', '972500000402', '972500000403'];
/** The promise: a revoked agent's sessions end within this long of the command. */
const REVOKED_WITHIN_MS = 5_000;

export const teams: Scenario = {
  name: 'teams',
  title:
    'conversations move between teams and agents are revoked while customers write and agents reply: nothing lost or doubled, no event to a device that may not see it',
  async run(ctx) {
    const fast = ctx.scale === 'fast';
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    const tokens = await addAgents(relay);
    const devices: TeamDevice[] = [];
    ctx.defer(() => devices.forEach((d) => d.stop()));
    // Everyone writes once, so every conversation exists before the devices sync.
    const inbound: string[] = [];
    const write = async (i: number) => {
      const north = ctx.rng.next() < 0.5;
      const body = `tm ${north ? 'north' : 'main'} ${i.toString(36)}`;
      await customerWrites(relay.url, ctx.rng.pick(north ? NORTH_CUSTOMERS : MAIN_CUSTOMERS), body, north ? NORTH_IDENTITY : IDENTITY);
      inbound.push(body);
    };
    for (const [i, from] of [...MAIN_CUSTOMERS, ...NORTH_CUSTOMERS].entries()) {
      const north = NORTH_CUSTOMERS.includes(from);
      await customerWrites(relay.url, from, `tm hello ${i}`, north ? NORTH_IDENTITY : IDENTITY);
      inbound.push(`tm hello ${i}`);
    }
    for (const agent of AGENTS) {
      for (const [i, d] of agent.devices.entries()) devices.push(await openTeamDevice(relay.url, tokens.get(agent.id)!, agent.id, `${agent.id}-${i}`, d));
    }

    const sends = { accepted: [] as string[], refused: [] as string[], uncertain: [] as string[] };
    let stop = false;
    const rounds = fast ? 40 : 240;
    const customers = (async () => {
      for (let i = 0; i < rounds && !stop; i++) {
        await write(i);
        await sleep(fast ? 60 : 80);
      }
    })();
    const replies = (async () => {
      for (let i = 0; !stop; i++) {
        const device = ctx.rng.pick(devices.filter((d) => d.version === 2 && d.closedCode() === null && d.agentId !== 'adm'));
        await reply(device, `tm out ${device.agentId} ${i.toString(36)}`, ctx.rng, sends, figures);
        await sleep(fast ? 70 : 90);
      }
    })();
    const supervisor = devices.find((d) => d.agentId === 'sup')!;
    let transfers = 0;
    const revocations: { agentId: string; commandDoneAt: number }[] = [];
    const steps = fast ? 10 : 40;
    for (let step = 0; step < steps; step++) {
      await sleep(fast ? 250 : 500);
      transfers += await transferOne(supervisor, ctx.rng.next());
      // Only the supervisor moves conversations, and it just did: until its next move, each team is what the data says.
      await probeOtherTeam(relay, ctx.rng.pick(devices.filter((d) => (d.agentId === 'm1' || d.agentId === 'n1') && d.version === 2)), figures);
      if (step === Math.floor(steps / 3) || step === Math.floor((2 * steps) / 3)) {
        const agentId = step === Math.floor(steps / 3) ? 'm2' : 'n2';
        const result = await runTsx(RELAY_CLI, ['agents', 'revoke', agentId, '--data', relay.dataDir], FAST_RELAY_ENV);
        if (result.code !== 0) figures.violations.push(`agents revoke ${agentId} failed: ${result.err.join(' ').slice(0, 200)}`);
        revocations.push({ agentId, commandDoneAt: Date.now() });
        figures.faults += 1;
      }
      if (step === Math.floor(steps / 2)) await devices.find((d) => d.name === 'm1-0')!.reconnect(); // a resume mid-run
    }
    await customers;
    stop = true;
    await replies;
    figures.faults += transfers;
    ctx.log(`teams: ${transfers} transfers, ${revocations.length} revocations, ${sends.accepted.length} replies accepted`);

    const unsettled = await settle(relay, devices, fast ? 30_000 : 90_000);
    if (unsettled !== null) figures.violations.push(unsettled);
    checkRevoked(devices, revocations, figures);
    checkStreams(relay, devices, figures);
    await checkMessages(relay, devices, inbound, sends, figures);
    await relay.stop();
    scanLogs(relay.logLines, [...tokens.values(), APP_SECRET, ...inbound, ...sends.accepted, ...MAIN_CUSTOMERS, ...NORTH_CUSTOMERS], figures, 'the relay');
    figures.inbound = inbound.length;
    figures.sent = sends.accepted.length;
    figures.notes.push(
      `transfers: ${transfers}; revocations: ${revocations.length}; replies refused in words: ${sends.refused.length}; uncertain: ${sends.uncertain.length}`,
      `events checked against who could see them: ${countEvents(devices)}; skips received: ${countKind(devices, 'events.skipped')}`,
    );
    return figures;
  },
};

/** Agents written straight into the data the relay serves (a CLI run costs a second each); revocations use the CLI. */
async function addAgents(relay: RelayProcess): Promise<Map<string, string>> {
  const store = openSqliteRelayStore(relay.dataDir).store;
  const tokens = new Map<string, string>();
  try {
    // The sandbox sets up its team north and that team's number just after it starts listening.
    for (let i = 0; (await store.teamOfNumber(NORTH_IDENTITY.phoneNumberId)) !== 'north'; i++) {
      if (i >= 200) throw new Error("the sandbox did not set up team north's number");
      await sleep(50);
    }
    for (const agent of AGENTS) {
      const token = generateAgentToken();
      await store.setAgentToken(agent.id, `Agent ${agent.id}`, hashAgentToken(token), Date.now(), agent.teams, agent.role);
      tokens.set(agent.id, token);
    }
  } finally {
    await store.close();
  }
  return tokens;
}

/** One reply in a conversation the device's agent may work: accepted, refused with words, or (connection gone) uncertain. */
async function reply(
  device: TeamDevice,
  body: string,
  rng: Rng,
  sends: { accepted: string[]; refused: string[]; uncertain: string[] },
  figures: Figures,
): Promise<void> {
  const candidates = [...device.store.conversations.values()].filter(
    (c) => device.agentId === 'sup' || c.assignedAgentId === null || c.assignedAgentId === device.agentId,
  );
  if (candidates.length === 0) return;
  const conversation = rng.pick(candidates);
  const params = { clientMessageId: uuidv7(), conversationId: conversation.id, content: { type: 'text', body } };
  try {
    const res = await device.connections.at(-1)!.request('messages.send', params, 10_000);
    if (res.ok) sends.accepted.push(body);
    else if (res.error.code === 'forbidden' || res.error.code === 'conflict') sends.refused.push(body);
    else sends.uncertain.push(body);
    if (!res.ok && res.error.code === 'forbidden' && !/handled by|Assigned to|has been revoked/.test(res.error.message)) {
      figures.violations.push(`a refusal without words for the agent: ${res.error.message}`);
    }
  } catch {
    sends.uncertain.push(body);
  }
}

/** The supervisor moves a conversation it holds to the other team; 1 when it did. */
async function transferOne(supervisor: TeamDevice, r: number): Promise<number> {
  const all = [...supervisor.store.conversations.values()];
  const conversation = all[Math.floor(r * all.length)];
  if (conversation === undefined) return 0;
  const teamId = conversation.team?.id === 'north' ? 'main' : 'north';
  const res = await supervisor.connections.at(-1)!.request('conversations.transfer', { conversationId: conversation.id, teamId }, 10_000);
  return res.ok ? 1 : 0;
}

/** An agent asks for the history of, and replies in, a conversation of the other team: both must be refused in words. */
async function probeOtherTeam(relay: RelayProcess, device: TeamDevice, figures: Figures): Promise<void> {
  const mine = AGENTS.find((a) => a.id === device.agentId)!.teams;
  const others = relay.query<{ id: string; team_id: string }>('SELECT id, team_id FROM conversations').filter((c) => !mine.includes(c.team_id));
  const target = others[0];
  if (target === undefined) return;
  const connection = device.connections.at(-1)!;
  const body = `tm probe ${uuidv7()}`;
  const attempts = [
    await connection.request('messages.history', { conversationId: target.id }, 10_000),
    await connection.request('messages.send', { clientMessageId: uuidv7(), conversationId: target.id, content: { type: 'text', body } }, 10_000),
  ];
  for (const res of attempts) {
    figures.badInputs += 1;
    if (!res.ok && res.error.code === 'forbidden' && /^This conversation is now handled by the .+ team$/.test(res.error.message)) continue;
    figures.accepted += 1;
    figures.violations.push(`${device.name} was not refused another team's conversation: ${JSON.stringify(res).slice(0, 160)}`);
  }
}

/** Waits until nothing is queued for WhatsApp and every open device has committed up to the log's head; else says why. */
async function settle(relay: RelayProcess, devices: readonly TeamDevice[], deadlineMs: number): Promise<string | null> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const scrape = await scrapeMetrics(relay.url, METRICS_TOKEN);
    const health = { head: scrape.value('relay_event_log_head') ?? Number.NaN, pendingOutbound: scrape.value('relay_outbound_queue_depth') ?? Number.NaN };
    const open = devices.filter((d) => d.closedCode() === null);
    const behind = open.filter((d) => (d.store.committedSeq ?? -1) < health.head || d.store.arrivals.size > 0);
    if (health.pendingOutbound === 0 && behind.length === 0) return null;
    if (Date.now() > deadline) {
      return `not settled within ${deadlineMs} ms: ${health.pendingOutbound} replies queued, ${behind.map((d) => d.name).join(', ') || 'no device'} behind head ${health.head}`;
    }
    await sleep(200);
  }
}

/** A revoked agent's devices all ended with 4001, within the promise; everyone else's stayed open. */
function checkRevoked(devices: readonly TeamDevice[], revocations: readonly { agentId: string; commandDoneAt: number }[], figures: Figures): void {
  for (const device of devices) {
    const revoked = revocations.find((r) => r.agentId === device.agentId);
    const last = device.connections.at(-1)!;
    if (revoked === undefined) {
      if (last.closeInfo !== undefined) figures.violations.push(`${device.name} was closed (${last.closeInfo.code}) though its agent kept access`);
      continue;
    }
    if (last.closeInfo?.code !== 4001)
      figures.violations.push(`${device.name} of revoked ${device.agentId} ended with ${last.closeInfo?.code ?? 'nothing'}, not 4001`);
    const closedAt = device.closedAt() ?? Infinity;
    if (closedAt - revoked.commandDoneAt > REVOKED_WITHIN_MS)
      figures.violations.push(`${device.name} stayed open ${closedAt - revoked.commandDoneAt} ms after the revocation`);
  }
}

/** Gap-free streams, and every event each device received was about a conversation its agent could see at that seq. */
function checkStreams(relay: RelayProcess, devices: readonly TeamDevice[], figures: Figures): void {
  const facts = seqFacts(relay);
  const revokedAt = new Map(relay.query<{ id: string; revoked_at: number | null }>('SELECT id, revoked_at FROM agents').map((a) => [a.id, a.revoked_at]));
  for (const device of devices) {
    for (const problem of device.problems) figures.violations.push(problem);
    const agent = AGENTS.find((a) => a.id === device.agentId)!;
    const sees = agent.role === 'admin' ? [] : agent.teams;
    for (const connection of device.connections) {
      for (const v of connection.violations) figures.violations.push(`${device.name}: ${v}`);
      for (const { seq, event } of connection.envelopes) {
        if (event.kind === 'events.skipped' || (event.kind === 'message.status' && event.conversationId.startsWith('v1-skipped:'))) continue;
        const fact = facts.get(seq);
        const cut = revokedAt.get(agent.id) ?? null;
        const wrong =
          fact === undefined || fact.team === null
            ? 'an event the log does not hold'
            : !sees.includes(fact.team)
              ? `an event of a ${fact.team} conversation`
              : cut !== null && fact.createdAt > cut
                ? 'an event committed after its agent was revoked'
                : null;
        if (wrong === null) continue;
        figures.accepted += 1;
        if (figures.accepted <= 5) figures.violations.push(`${device.name} received seq ${seq} (${event.kind}): ${wrong}`);
      }
    }
  }
}

/** Inbound stored once and seen once by the supervisor; replies accepted reach WhatsApp once, refused ones never. */
async function checkMessages(
  relay: RelayProcess,
  devices: readonly TeamDevice[],
  inbound: readonly string[],
  sends: { accepted: string[]; refused: string[]; uncertain: string[] },
  figures: Figures,
): Promise<void> {
  const stored = relay.query<{ body: string }>("SELECT json_extract(content, '$.body') AS body FROM messages WHERE direction = 'in'").map((r) => r.body);
  const supervisor = devices.find((d) => d.agentId === 'sup')!.store;
  for (const body of inbound) {
    const times = stored.filter((b) => b === body).length;
    const seen = supervisor.messagesWithBody(body).length;
    if (times === 0 || seen === 0) figures.inboundMissing += 1;
    if (times > 1 || seen > 1) figures.inboundDuplicated += 1;
  }
  const delivered: string[] = [];
  for (const to of [...MAIN_CUSTOMERS, ...NORTH_CUSTOMERS]) {
    const ledger = await ledgerOf(relay.url, to);
    delivered.push(...ledger.flatMap((m) => (m.text === undefined ? [] : [m.text])));
    // A customer wrote to one of our numbers only: every reply leaves from it, whichever team holds the conversation now.
    const number = NORTH_CUSTOMERS.includes(to) ? NORTH_IDENTITY.phoneNumberId : IDENTITY.phoneNumberId;
    for (const m of ledger) if (m.from !== number) figures.violations.push(`a reply to a customer left from ${m.from}, not ${number}`);
  }
  const count = (body: string) => delivered.filter((t) => t === body).length;
  for (const body of sends.accepted) {
    if (count(body) === 0) figures.lost += 1;
    if (count(body) > 1) figures.duplicated += 1;
  }
  for (const body of sends.uncertain) if (count(body) > 1) figures.duplicated += 1;
  for (const body of sends.refused) {
    if (count(body) === 0) continue;
    figures.accepted += 1;
    figures.violations.push(`a refused reply reached WhatsApp: ${body.slice(0, 20)}`);
  }
}

function countEvents(devices: readonly TeamDevice[]): number {
  return devices.reduce((n, d) => n + d.connections.reduce((m, c) => m + c.envelopes.length, 0), 0);
}

function countKind(devices: readonly TeamDevice[], kind: string): number {
  return devices.reduce((n, d) => n + d.connections.reduce((m, c) => m + c.envelopes.filter((e) => e.event.kind === kind).length, 0), 0);
}
