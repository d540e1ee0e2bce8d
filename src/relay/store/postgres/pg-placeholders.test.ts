import { describe, expect, it } from 'vitest';
import { numberPlaceholders } from './pg-placeholders';

describe('numberPlaceholders: ? becomes $1, $2 … only where it is a parameter', () => {
  it.each([
    ['SELECT * FROM t WHERE a = ? AND b IN (?, ?)', 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)', 3],
    ["SELECT '?', 'it''s ?', ? FROM t", "SELECT '?', 'it''s ?', $1 FROM t", 1],
    ['SELECT "odd?name" FROM t WHERE x = ?', 'SELECT "odd?name" FROM t WHERE x = $1', 1],
    ['SELECT ? -- why? because\n, ?', 'SELECT $1 -- why? because\n, $2', 2],
    ['SELECT /* ? */ ?', 'SELECT /* ? */ $1', 1],
    ['SELECT $$ ? $$, $fn$ it is ? $fn$, ?', 'SELECT $$ ? $$, $fn$ it is ? $fn$, $1', 1],
    ['SELECT value FROM json_array_elements_text(?::json)', 'SELECT value FROM json_array_elements_text($1::json)', 1],
    ['SELECT a$b FROM t WHERE c = ?', 'SELECT a$b FROM t WHERE c = $1', 1],
  ])('%s', (sql, text, count) => {
    expect(numberPlaceholders(sql)).toEqual({ text, count });
  });
});
