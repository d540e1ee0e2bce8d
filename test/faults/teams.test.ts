// Fast subset of the fault suite (npm test): the teams scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { teams } from './scenarios/teams';
import { fastScenario } from './support/fast-test';

describe('faults: teams', () => {
  fastScenario(teams, { timeoutMs: 120_000, minSent: 10, minFaults: 4 });
});
