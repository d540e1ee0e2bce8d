import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('nestsDeeperThan', () => {
  it.each([
    ['flat object', '{"a":1,"b":"x"}', 1, false],
    ['object in array at the limit', '[{"a":[1]}]', 3, false],
    ['one level past the limit', '[{"a":[1]}]', 2, true],
    ['brackets inside strings do not count', '{"a":"[[[[{{{{"}', 1, false],
    ['an escaped quote does not end the string', '{"a":"\\"[[[["}', 1, false],
    ['an escaped backslash before the closing quote ends it', '{"a":"\\\\","b":[[1]]}', 2, true],
    ['a hundred thousand levels', nested(100_000), 64, true],
    ['sixty-four levels', nested(64), 64, false],
  ])('%s', (_name, text, limit, expected) => {
    expect(nestsDeeperThan(text, limit)).toBe(expected);
  });
});
