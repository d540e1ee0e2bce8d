// Fast subset of the fault suite (npm test): the clock-jumps scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { clockJumps } from './scenarios/clock-jumps';
import { fastScenario } from './support/fast-test';

describe('faults: clock-jumps', () => {
  fastScenario(clockJumps, { timeoutMs: 45_000, minSent: 8, minFaults: 20 });
});
