// Fast subset of the fault suite (npm test): device sessions over a bad link at the fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { sessions } from './scenarios/sessions';
import { fastScenario } from './support/fast-test';

describe('faults: sessions', () => {
  fastScenario(sessions, { timeoutMs: 90_000, minSent: 20, minFaults: 3 });
});
