// Day separators, list times and sizes, in local calendar terms.
import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, daysAgo, formatBytes, listTime } from './format';

// Local calendar times, so the tests hold in any time zone.
const at = (month: number, day: number, hour = 12) => new Date(2026, month, day, hour).getTime();
const NOW = at(2, 14, 10); // Saturday 14 March 2026, 10:00

describe('day separators', () => {
  it('counts calendar days, not 24-hour spans', () => {
    expect(daysAgo(at(2, 13, 23), at(2, 14, 0))).toBe(1);
    expect(daysAgo(at(2, 14, 0), at(2, 14, 23))).toBe(0);
    expect(dayKey(at(2, 14, 0))).toBe(dayKey(at(2, 14, 23)));
    expect(dayKey(at(2, 13, 23))).not.toBe(dayKey(at(2, 14, 0)));
  });

  it.each([
    [at(2, 14, 8), 'Today'],
    [at(2, 13, 23), 'Yesterday'],
    [at(2, 10), 'Tuesday'],
    [at(2, 1), '1 March 2026'],
    [at(0, 20), '20 January 2026'],
  ])('%d is labelled "%s"', (ms, label) => {
    expect(dayLabel(ms, NOW, 'en-GB')).toBe(label);
  });
});

describe('listTime', () => {
  it('shows a time today, then Yesterday, a weekday, a date', () => {
    expect(listTime(at(2, 14, 8), NOW, 'en-GB')).toBe('08:00');
    expect(listTime(at(2, 13, 8), NOW, 'en-GB')).toBe('Yesterday');
    expect(listTime(at(2, 10, 8), NOW, 'en-GB')).toBe('Tue');
    expect(listTime(at(1, 2, 8), NOW, 'en-GB')).toBe('2 Feb 26');
  });
});

describe('formatBytes', () => {
  it.each([
    [512, '512 B'],
    [2048, '2 KB'],
    [5 * 1024 * 1024, '5 MB'],
    [1.25 * 1024 * 1024, '1.3 MB'],
  ])('%d bytes read "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
