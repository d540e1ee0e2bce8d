// The sandbox's demo of need-to-know with no set-up: team main and a second team with its own number and customers,
// an agent in each and a supervisor of both. Their tokens survive a restart over the same data folder.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Role } from '../../shared/domain';
import { generateAgentToken, hashAgentToken } from '../agent-tokens';
import type { ChangedBy } from '../store/relay-store';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { DEMO_NORTH_NUMBER } from './business-numbers';
import type { SandboxInboundInput } from './sandbox';

export const DEMO_TEAMS = [
  { id: 'north', name: 'North branch', phoneNumberId: DEMO_NORTH_NUMBER.phoneNumberId, display: `+${DEMO_NORTH_NUMBER.displayPhoneNumber}` },
];

export interface DemoAgentSpec {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly teams: readonly string[];
}

/**
 * One agent per team shows that each sees only their team's customers; the supervisor of both shows transfers and
 * take-overs (only a supervisor may move a conversation between teams), which is why the demo has one.
 */
export const DEMO_AGENTS: readonly DemoAgentSpec[] = [
  { id: 'demo', name: 'Demo Agent', role: 'agent', teams: ['main'] },
  { id: 'demo-north', name: 'Noa North', role: 'agent', teams: ['north'] },
  { id: 'demo-lead', name: 'Sam Supervisor', role: 'supervisor', teams: ['main', 'north'] },
];

/** Customers who write once, when the sandbox starts on an empty data folder: some to each team's number. */
export const DEMO_CUSTOMERS: readonly SandboxInboundInput[] = [
  { from: '972541230001', name: 'Miriam Shapiro', text: 'Hello, my new card has not arrived yet. Can you check?' },
  {
    from: '972541230002',
    name: 'Avi Ben-David',
    text: 'I would like to book a meeting about a mortgage at the north branch.',
    to: DEMO_NORTH_NUMBER.phoneNumberId,
  },
  { from: '972541230003', name: 'Lior Mizrahi', text: 'Is the Haifa branch open on Sunday?', to: DEMO_NORTH_NUMBER.phoneNumberId },
];

/** Where the demo agents' tokens are kept (0600): only these, only in the sandbox's data folder, so restarts keep them. */
export const DEMO_TOKENS_FILE = 'sandbox-demo-tokens.json';
const TokenFile = z.record(z.string(), z.string());

export interface DemoAgent extends DemoAgentSpec {
  readonly token: string;
}

const SANDBOX: ChangedBy = { actorId: null, source: 'sandbox' };

/**
 * Creates what the demo needs that is missing (team north and its number, the demo agents) and returns each demo agent
 * with a working token: the stored one while it still opens their account, else a new one (then stored).
 */
export async function prepareDemo(store: SqlRelayStore, dataDir: string, now: number): Promise<DemoAgent[]> {
  for (const team of DEMO_TEAMS) {
    if (!(await store.listTeams()).some((t) => t.id === team.id)) await store.addTeam(team.id, team.name, now, SANDBOX);
    if ((await store.teamOfNumber(team.phoneNumberId)) === null) {
      await store.addNumber({ phoneNumberId: team.phoneNumberId, teamId: team.id, display: team.display }, now, SANDBOX);
    }
  }
  const file = path.join(dataDir, DEMO_TOKENS_FILE);
  const stored = readTokens(file);
  const agents: DemoAgent[] = [];
  for (const spec of DEMO_AGENTS) {
    const kept = stored[spec.id];
    const works = kept !== undefined && (await store.findAgentByTokenHash(hashAgentToken(kept)))?.id === spec.id;
    const token = works ? kept : generateAgentToken();
    if (!works) await store.setAgentToken(spec.id, spec.name, hashAgentToken(token), now, spec.teams, spec.role);
    agents.push({ ...spec, token });
  }
  writeTokens(file, Object.fromEntries(agents.map((a) => [a.id, a.token])));
  return agents;
}

function readTokens(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {}; // the first start
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {}; // damaged: new tokens replace it
  }
  const parsed = TokenFile.safeParse(json);
  return parsed.success ? parsed.data : {};
}

function writeTokens(file: string, tokens: Record<string, string>): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  chmodSync(file, 0o600); // a file an older run left with wider rights
}
