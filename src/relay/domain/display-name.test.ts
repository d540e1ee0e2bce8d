// Proves a customer cannot dress their name up as someone else's with invisible or direction-changing characters.
import { describe, expect, it } from 'vitest';
import { MAX_PROFILE_NAME_LENGTH, neutraliseDisplayText } from './display-name';

describe('neutraliseDisplayText', () => {
  it.each<[string, string, string | null]>([
    ['a plain name stays as it is', 'Dana Levi', 'Dana Levi'],
    ['Hebrew and Arabic letters stay', 'דנה לוי عمر', 'דנה לוי عمر'],
    ['emoji stay', 'Dana 🌻', 'Dana 🌻'],
    ['a right-to-left override cannot turn the text around into "Bank Support"', '\u202Etroppus knaB', 'troppus knaB'],
    ['an override closed by a pop is removed with it', 'Dana \u202Eknab\u202C', 'Dana knab'],
    ['left-to-right and right-to-left embeddings (U+202A, U+202B) go', '\u202ABank\u202B Support', 'Bank Support'],
    ['isolates (U+2066–U+2069) go', '\u2066Bank\u2069 \u2067Support\u2068', 'Bank Support'],
    ['directional marks (U+200E, U+200F, U+061C) go', 'Bank\u200E \u200FSupport\u061C', 'Bank Support'],
    ['zero-width space, joiner and non-joiner go', 'Ba\u200Bnk\u200C Sup\u200Dport', 'Bank Support'],
    ['word joiner, invisible operators and a byte-order mark go', '\uFEFFBank\u2060\u2062 Support', 'Bank Support'],
    ['soft hyphens and tag characters go', 'Ba\u00ADnk \u{E0041}Support', 'Bank Support'],
    ['Hangul fillers that draw nothing go', '\u3164\u115FBank Support\uFFA0', 'Bank Support'],
    ['runs of spaces, tabs and new lines collapse to one space', '  Bank\t\n\u00A0 \u2003Support\u2028 ', 'Bank Support'],
    ['control characters become spaces', 'Bank\u0000\u0007Support', 'Bank Support'],
    ['stacked combining marks are cut back to a few', `Z${'\u0336'.repeat(40)}alg`, `Z${'\u0336'.repeat(4)}alg`],
    ['decomposed accents are composed (NFC)', 'Rene\u0301e', 'Renée'],
    ['a name of only invisible characters is no name', '\u202E\u200B\u2066 \u2069', null],
    ['an empty name is no name', '', null],
  ])('%s', (_label, raw, expected) => {
    expect(neutraliseDisplayText(raw, MAX_PROFILE_NAME_LENGTH)).toBe(expected);
  });

  it('cuts a run-on name to the limit with a visible mark, never splitting an emoji', () => {
    expect(neutraliseDisplayText('x'.repeat(500), 128)).toBe(`${'x'.repeat(127)}…`);
    expect(neutraliseDisplayText(`${'x'.repeat(126)}😀😀`, 128)).toBe(`${'x'.repeat(126)}…`);
  });
});
