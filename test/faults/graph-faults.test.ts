// Fast subset of the fault suite (npm test): the graph-faults scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { graphFaults } from './scenarios/graph-faults';
import { fastScenario } from './support/fast-test';

describe('faults: graph-faults', () => {
  fastScenario(graphFaults, { timeoutMs: 60_000, minSent: 16, minFaults: 4 });
});
