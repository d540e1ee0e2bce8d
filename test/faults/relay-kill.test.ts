// Fast subset of the fault suite (npm test): the relay-kill scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { relayKill } from './scenarios/relay-kill';
import { fastScenario } from './support/fast-test';

describe('faults: relay-kill', () => {
  fastScenario(relayKill, { timeoutMs: 60_000, minSent: 20, minFaults: 1 });
});
