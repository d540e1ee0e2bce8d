// The RelayStore port's contract as a vitest suite: what any store (SQLite, PostgreSQL) must do, through the port alone.
import { describe } from 'vitest';
import { agentsContract, teamsContract } from './store-contract-agents';
import { conversationsContract } from './store-contract-conversations';
import { eventLogContract } from './store-contract-events';
import { racesContract } from './store-contract-races';
import { recordsContract } from './store-contract-records';
import { sendsContract } from './store-contract-sends';
import { signInContract } from './store-contract-sign-in';
import type { OpenStore } from './store-contract-support';
import { webhooksContract } from './store-contract-webhooks';

export type { OpenStore } from './store-contract-support';

/**
 * Runs the contract against the stores `open` makes: each test opens a new, empty store (schema current, team `main`
 * only, no numbers, no agents) and closes it after. Expectations are what the relay and its agents notice, taken
 * from the port's documentation (relay-store.ts, access-types.ts, session-types.ts); nothing here reads tables.
 */
export function describeStoreContract(label: string, open: OpenStore): void {
  describe(`RelayStore contract on ${label}`, () => {
    agentsContract(open);
    teamsContract(open);
    eventLogContract(open);
    webhooksContract(open);
    sendsContract(open);
    conversationsContract(open);
    signInContract(open);
    recordsContract(open);
    racesContract(open);
  });
}
