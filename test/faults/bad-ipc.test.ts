// Fast subset of the fault suite (npm test): the bad-ipc scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { badIpc } from './scenarios/bad-ipc';
import { fastScenario } from './support/fast-test';

describe('faults: bad-ipc', () => {
  fastScenario(badIpc, { timeoutMs: 45_000, minBadInputs: 1000 });
});
