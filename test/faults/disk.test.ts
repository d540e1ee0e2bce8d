// Fast subset of the fault suite (npm test): the disk scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { disk } from './scenarios/disk';
import { fastScenario } from './support/fast-test';

describe('faults: disk', () => {
  fastScenario(disk, { timeoutMs: 45_000, minSent: 8, minFaults: 2 });
});
