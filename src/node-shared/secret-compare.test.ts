// Table test of the secret comparison: equal means byte-for-byte equal, for strings and for bytes.
import { describe, expect, it } from 'vitest';
import { secretsEqual } from './secret-compare';

describe('secretsEqual', () => {
  it.each([
    ['the same token', 'blt_abc123', 'blt_abc123', true],
    ['one character changed', 'blt_abc123', 'blt_abc124', false],
    ['a prefix of the secret', 'blt_abc', 'blt_abc123', false],
    ['the secret plus more', 'blt_abc1234', 'blt_abc123', false],
    ['an empty guess', '', 'blt_abc123', false],
    ['both empty', '', '', true],
    ['another case', 'BLT_ABC123', 'blt_abc123', false],
    ['non-ASCII, equal', 'clé-secrète', 'clé-secrète', true],
    // UTF-8 would encode both lone surrogates as the same replacement character.
    ['two different lone surrogates', '\ud800', '\ud801', false],
  ])('%s → %s', (_what, given, expected, equal) => {
    expect(secretsEqual(given, expected)).toBe(equal);
  });

  it('compares bytes the same way', () => {
    const digest = Buffer.from('9f'.repeat(32), 'hex');
    expect(secretsEqual(Buffer.from(digest), digest)).toBe(true);
    expect(secretsEqual(digest.subarray(0, 31), digest)).toBe(false);
    const flipped = Buffer.from(digest);
    flipped[31] = 0x9e;
    expect(secretsEqual(flipped, digest)).toBe(false);
    expect(secretsEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
