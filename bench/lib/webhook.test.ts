import { describe, expect, it } from 'vitest';
import { parseWebhook } from '../../src/relay/domain/parse-webhook';
import { batchBody, inboundBody } from './webhook';

describe('batchBody', () => {
  it('carries every message in one webhook that the relay parses as one delivery', () => {
    const one = (i: number) => inboundBody({ wamid: `wamid.b${i}`, from: `97250000000${i}`, name: `Customer ${i}`, text: `hello ${i}` });
    const parsed = parseWebhook(JSON.parse(batchBody([one(1), one(2), one(3)])), { now: Date.now() });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.messages.map((m) => m.wamid)).toEqual(['wamid.b1', 'wamid.b2', 'wamid.b3']);
    expect(parsed.value.skipped).toEqual([]);
  });

  it('refuses an empty batch rather than posting a webhook of nothing', () => {
    expect(() => batchBody([])).toThrow();
  });
});
