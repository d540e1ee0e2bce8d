// Fast subset of the fault suite (npm test): the bad-socket scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { badSocket } from './scenarios/bad-socket';
import { fastScenario } from './support/fast-test';

describe('faults: bad-socket', () => {
  fastScenario(badSocket, { timeoutMs: 45_000, minBadInputs: 50 });
});
