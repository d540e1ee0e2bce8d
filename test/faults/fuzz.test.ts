// Fast subset of the fault suite (npm test): the fuzz scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { fuzz } from './scenarios/fuzz';
import { fastScenario } from './support/fast-test';

describe('faults: fuzz', () => {
  fastScenario(fuzz, { timeoutMs: 45_000, minBadInputs: 300 });
});
