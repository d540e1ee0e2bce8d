// Fast subset of the fault suite (npm test): the webhook-chaos scenario at its fast scale; the full one runs in npm run test:faults.
import { describe } from 'vitest';
import { webhookChaos } from './scenarios/webhook-chaos';
import { fastScenario } from './support/fast-test';

describe('faults: webhook-chaos', () => {
  fastScenario(webhookChaos, { timeoutMs: 45_000, minSent: 8, minFaults: 20 });
});
