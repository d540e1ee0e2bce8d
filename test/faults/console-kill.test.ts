// Fast subset of the fault suite (npm test): the console-kill scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { consoleKill } from './scenarios/console-kill';
import { fastScenario } from './support/fast-test';

describe('faults: console-kill', () => {
  fastScenario(consoleKill, { timeoutMs: 60_000, minSent: 20, minFaults: 2 });
});
