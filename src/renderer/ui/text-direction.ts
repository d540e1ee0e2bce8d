// Which way a piece of text runs, from its first strong letter: Hebrew or Arabic reads right to left
// inside the left-to-right app (the same rule as dir="auto", usable where we need the answer ourselves).

const RTL_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Adlam}]/u;
const LETTER = /\p{L}/u;

export type TextDirection = 'ltr' | 'rtl' | 'auto';

export function textDirection(text: string): TextDirection {
  for (const char of text) {
    if (!LETTER.test(char)) continue;
    return RTL_LETTER.test(char) ? 'rtl' : 'ltr';
  }
  return 'auto';
}
