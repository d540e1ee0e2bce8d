// Fast subset of the fault suite (npm test): the network scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { network } from './scenarios/network';
import { fastScenario } from './support/fast-test';

describe('faults: network', () => {
  fastScenario(network, { timeoutMs: 60_000, minSent: 20, minFaults: 4 });
});
