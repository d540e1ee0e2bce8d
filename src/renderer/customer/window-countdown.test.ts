// The 24-hour window countdown text, at the edges that matter.
import { describe, expect, it } from 'vitest';
import { SERVICE_WINDOW_MS } from '../../shared/service-window';
import { durationText, windowView } from './window-countdown';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('windowView', () => {
  const last = Date.UTC(2026, 2, 14, 9);
  it.each([
    [0, 'open', 'Open · closes in 24 h 0 min'],
    [HOUR + 30_000, 'open', 'Open · closes in 22 h 59 min'],
    [SERVICE_WINDOW_MS - 5 * MIN - 1, 'open', 'Open · closes in 5 min'],
    [SERVICE_WINDOW_MS - 30_000, 'open', 'Open · closes in less than a minute'],
    [SERVICE_WINDOW_MS, 'closed', 'Closed: only templates can be sent'],
    [SERVICE_WINDOW_MS + 3 * HOUR, 'closed', 'Closed: only templates can be sent'],
  ] as const)('%d ms after the last message: %s, "%s"', (elapsed, state, text) => {
    expect(windowView(last, last + elapsed)).toEqual({ state, text });
  });

  it('is "never" when the customer has not written', () => {
    expect(windowView(null, last).state).toBe('never');
  });
});

describe('durationText', () => {
  it.each([
    [0, 'less than a minute'],
    [59_999, 'less than a minute'],
    [MIN, '1 min'],
    [59 * MIN, '59 min'],
    [HOUR, '1 h 0 min'],
    [23 * HOUR + 59 * MIN + 59_000, '23 h 59 min'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
