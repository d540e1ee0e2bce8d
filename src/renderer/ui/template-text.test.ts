// Filling template placeholders for the preview, and when the form is complete.
import { describe, expect, it } from 'vitest';
import { fillTemplate, filledText, parametersComplete } from './template-text';

const BODY = 'Hi {{1}}, this is a reminder of your appointment at {{2}} on {{3}}.';

describe('template text', () => {
  it('fills the placeholders in order, marking which parts are parameters', () => {
    expect(fillTemplate('Hello {{1}}, see {{2}}', ['Dana', 'you'])).toEqual([
      { text: 'Hello ', parameter: null },
      { text: 'Dana', parameter: 1 },
      { text: ', see ', parameter: null },
      { text: 'you', parameter: 2 },
    ]);
  });

  it('leaves a placeholder visible until its value is typed', () => {
    expect(filledText(BODY, ['Ruth'])).toBe('Hi Ruth, this is a reminder of your appointment at {{2}} on {{3}}.');
    expect(filledText(BODY, ['Ruth', '  ', 'Sunday'])).toBe('Hi Ruth, this is a reminder of your appointment at {{2}} on Sunday.');
  });

  it('uses a parameter wherever its number appears, even twice', () => {
    expect(filledText('{{1}} and {{1}}', ['x'])).toBe('x and x');
  });

  it('is complete only when every value is present, non-blank and short enough', () => {
    expect(parametersComplete(3, ['a', 'b', 'c'])).toBe(true);
    expect(parametersComplete(3, ['a', 'b'])).toBe(false);
    expect(parametersComplete(2, ['a', ' '])).toBe(false);
    expect(parametersComplete(1, ['x'.repeat(1025)])).toBe(false);
    expect(parametersComplete(0, [])).toBe(true);
  });
});
