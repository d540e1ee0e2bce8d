// Table test of the row parser: a row that fits comes back typed, one that does not names its table and column.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonColumn, parseRow, parseRows, StoredRowError } from './stored-row';

const Row = z.object({ id: z.string(), size: z.number().int().nullable(), tags: jsonColumn(z.array(z.string())) });

describe('parseRow', () => {
  it('returns the row with its JSON column parsed', () => {
    expect(parseRow('files', Row, { id: 'a', size: null, tags: '["x","y"]' })).toEqual({ id: 'a', size: null, tags: ['x', 'y'] });
  });

  it.each([
    ['a text where a number belongs', { id: 'a', size: 'big', tags: '[]' }, 'size'],
    ['a missing column', { id: 'a', tags: '[]' }, 'size'],
    ['a JSON column that is not JSON', { id: 'a', size: 1, tags: '[oops' }, 'tags'],
    ['a JSON column of the wrong shape', { id: 'a', size: 1, tags: '[1]' }, 'tags'],
  ])('refuses %s, naming the column', (_what, row, column) => {
    expect(() => parseRow('files', Row, row)).toThrow(StoredRowError);
    expect(() => parseRow('files', Row, row)).toThrow(`in files: column ${column}`);
  });

  it('never puts the stored value in the error', () => {
    const secret = 'text-of-a-customer-message';
    expect(() => parseRow('files', Row, { id: 'a', size: secret, tags: '[]' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it('parses every row of a query the same way', () => {
    expect(() =>
      parseRows('files', Row, [
        { id: 'a', size: 1, tags: '[]' },
        { id: 'b', size: 1.5, tags: '[]' },
      ]),
    ).toThrow('column size');
  });
});
