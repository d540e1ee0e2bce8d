// Fast subset of the fault suite (npm test): the bad-config scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { badConfig } from './scenarios/bad-config';
import { fastScenario } from './support/fast-test';

describe('faults: bad-config', () => {
  fastScenario(badConfig, { timeoutMs: 120_000, minBadInputs: 20 });
});
