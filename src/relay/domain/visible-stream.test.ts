// A device's stream from the events it may see: gap-free seqs, fillers for the rest, never an event twice or out of range.
import { describe, expect, it } from 'vitest';
import { placeholderGap, skippedGap, startingPoint, streamEntries, type AudienceSlice, type StreamEntry } from './visible-stream';

const ev = (seq: number) => ({ seq, json: `{"kind":"message.created","n":${seq}}` });
const slice = (seqs: number[], throughSeq: number): AudienceSlice => ({ events: seqs.map(ev), throughSeq });

/** Entries in short: `5` an event, `s3-4` a v2 skip from 3 ending at seq 4, `p7` a v1 placeholder at 7. */
function short(entries: StreamEntry[]): string[] {
  return entries.map((e) => {
    if (!e.filler) return String(e.seq);
    const parsed = JSON.parse(e.json) as { kind: string; fromSeq?: number };
    return parsed.kind === 'events.skipped' ? `s${parsed.fromSeq}-${e.seq}` : `p${e.seq}`;
  });
}

describe('v2: the seqs a device may not see become one events.skipped each', () => {
  it.each<[string, number, AudienceSlice, number, string[]]>([
    ['every event visible', 0, slice([1, 2, 3], 3), 100, ['1', '2', '3']],
    ['a gap before, between and after', 0, slice([3, 5], 9), 100, ['s1-2', '3', 's4-4', '5', 's6-9']],
    ['nothing visible: one skip to the end', 10, slice([], 500), 100, ['s11-500']],
    ['nothing new at all', 10, slice([], 10), 100, []],
    ['the limit counts entries, a skip included', 0, slice([3, 5], 9), 2, ['s1-2', '3']],
    ['a limit that falls on a gap stops before it', 0, slice([3, 5], 9), 3, ['s1-2', '3', 's4-4']],
    ['events at or before the cursor are never sent again', 4, slice([3, 4, 6], 6), 100, ['s5-5', '6']],
    ['events past the complete range wait for the next read', 0, slice([2, 8], 5), 100, ['s1-1', '2', 's3-5']],
  ])('%s', (_what, after, s, limit, expected) => {
    expect(short(streamEntries(after, s, limit, skippedGap))).toEqual(expected);
  });

  it('keeps the stream consecutive whatever the reads: each entry continues the last', () => {
    const visible = [2, 3, 7, 20, 21, 40];
    let cursor = 0;
    const seen: number[] = [];
    for (let round = 0; round < 50 && cursor < 45; round++) {
      const entries = streamEntries(cursor, slice(visible, 45), 2, skippedGap);
      for (const e of entries) {
        const from = e.filler ? (JSON.parse(e.json) as { fromSeq: number }).fromSeq : e.seq;
        expect(from).toBe(cursor + 1);
        if (!e.filler) seen.push(e.seq);
        cursor = e.seq;
      }
    }
    expect(cursor).toBe(45);
    expect(seen).toEqual(visible);
  });

  it('writes the skip as the protocol event', () => {
    expect(streamEntries(0, slice([], 4), 10, skippedGap)).toEqual([{ seq: 4, json: '{"kind":"events.skipped","fromSeq":1}', filler: true }]);
  });
});

describe('v1: a placeholder per seq', () => {
  it.each<[string, number, AudienceSlice, number, string[]]>([
    ['gaps filled seq by seq', 0, slice([3, 5], 6), 100, ['p1', 'p2', '3', 'p4', '5', 'p6']],
    ['the limit may cut a gap', 0, slice([5], 5), 3, ['p1', 'p2', 'p3']],
    ['and resumes where it stopped', 3, slice([5], 5), 3, ['p4', '5']],
  ])('%s', (_what, after, s, limit, expected) => {
    expect(short(streamEntries(after, s, limit, placeholderGap))).toEqual(expected);
  });

  it('a placeholder depends on its seq alone, so a replay sends the same', () => {
    expect(placeholderGap(7, 7, 1)).toEqual(placeholderGap(7, 9, 1));
  });
});

describe('where a device starts', () => {
  const base = { head: 100, oldest: 1, accessVersion: 3, deviceAccessVersion: 3 };
  it.each<[string, Partial<Parameters<typeof startingPoint>[0]> & { since: number | null }, ReturnType<typeof startingPoint>]>([
    ['a device with a kept cursor resumes', { since: 40 }, { mode: 'resume', cursor: 40, recordAccess: 'no' }],
    ['a device at head resumes with nothing to send', { since: 100 }, { mode: 'resume', cursor: 100, recordAccess: 'no' }],
    [
      'a new device resyncs, remembered once caught up',
      { since: null, deviceAccessVersion: null },
      { mode: 'resync', cursor: 100, recordAccess: 'on_catch_up' },
    ],
    ['a cursor older than the log keeps resyncs', { since: 10, oldest: 50 }, { mode: 'resync', cursor: 100, recordAccess: 'no' }],
    ['a cursor just before the oldest kept event resumes', { since: 49, oldest: 50 }, { mode: 'resume', cursor: 49, recordAccess: 'no' }],
    ['a cursor ahead of head (the relay lost data) resyncs', { since: 120 }, { mode: 'resync', cursor: 100, recordAccess: 'no' }],
    [
      'teams or role changed since the device caught up: resync',
      { since: 40, deviceAccessVersion: 2 },
      { mode: 'resync', cursor: 100, recordAccess: 'on_catch_up' },
    ],
    [
      'a device from before need-to-know resumes, remembered now',
      { since: 40, deviceAccessVersion: null },
      { mode: 'resume', cursor: 40, recordAccess: 'now' },
    ],
  ])('%s', (_what, facts, expected) => {
    expect(startingPoint({ ...base, ...facts })).toEqual(expected);
  });
});
