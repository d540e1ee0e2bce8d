// Fast subset of the fault suite (npm test): the bad-webhooks scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { badWebhooks } from './scenarios/bad-webhooks';
import { fastScenario } from './support/fast-test';

describe('faults: bad-webhooks', () => {
  fastScenario(badWebhooks, { timeoutMs: 45_000, minBadInputs: 16 });
});
