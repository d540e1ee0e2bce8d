// Regression: unknown top-level keys in the machine policy are reported, whatever their name or length.
import { describe, expect, it } from 'vitest';
import { parsePolicy, SAFE_DEFAULTS } from './policy';

// Before the fix "__proto__", "constructor" or "toString" passed for sections (the `in` operator sees
// Object.prototype) and were ignored silently, and a huge key was echoed whole into the problem the settings screen shows.
describe('unknown policy keys', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('reports "%s"', (key) => {
    const loaded = parsePolicy(JSON.parse(`{"${key}": {"url": "https://evil.example"}}`) as Record<string, unknown>, 'policy.json');
    expect(loaded.problems).toEqual([{ key, message: `unknown key "${key}" (ignored)` }]);
    expect(loaded.policy).toEqual(SAFE_DEFAULTS);
  });

  it('reports a huge key without echoing all of it', () => {
    const loaded = parsePolicy({ ['k'.repeat(100_000)]: 1 }, 'policy.json');
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]!.message.length).toBeLessThan(200);
    expect(loaded.problems[0]!.key.startsWith('kkkk')).toBe(true);
  });
});
