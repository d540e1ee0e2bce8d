// Which way text runs, from its first strong letter.
import { describe, expect, it } from 'vitest';
import { textDirection } from './text-direction';

describe('textDirection', () => {
  it.each([
    ['Hello', 'ltr'],
    ['שלום, מה שלומך?', 'rtl'],
    ['مرحبا، أريد تحديث عنواني', 'rtl'],
    // The first strong letter decides, as dir="auto" does: digits and punctuation are neutral.
    ['123 — שלום', 'rtl'],
    ['  (42) hello שלום', 'ltr'],
    ['שלום hello', 'rtl'],
    ['', 'auto'],
    ['12:30 !?', 'auto'],
    ['Привет', 'ltr'],
  ])('%j runs %s', (text, direction) => {
    expect(textDirection(text)).toBe(direction);
  });
});
