// Day separators and reactions folded onto their targets.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { message } from '../test-support/fake-api';
import { buildTimeline, reuseRows } from './timeline';

// Local times: day separators follow the agent's calendar, whatever the machine's time zone.
const at = (day: number, hour: number) => new Date(2026, 2, day, hour).getTime();

function index(messages: Message[]) {
  return { order: messages.map((m) => m.id), byId: Object.fromEntries(messages.map((m) => [m.id, m])) };
}

describe('buildTimeline', () => {
  it('marks the first message of each local day', () => {
    const { order, byId } = index([
      message('a', { createdAt: at(13, 23) }),
      message('b', { createdAt: at(14, 0) }),
      message('c', { createdAt: at(14, 18) }),
      message('d', { createdAt: at(16, 8) }),
    ]);
    expect(buildTimeline(order, byId).map((r) => [r.key, r.startsDay])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', true],
    ]);
  });

  it('folds a reaction onto its target; the latest from each side wins, an empty emoji removes it', () => {
    const { order, byId } = index([
      message('ours', { direction: 'out', status: 'read', createdAt: at(14, 9) }),
      message('r1', { createdAt: at(14, 10) }, { type: 'reaction', emoji: '👍', targetMessageId: 'ours' }),
      message('r2', { createdAt: at(14, 11) }, { type: 'reaction', emoji: '❤', targetMessageId: 'ours' }),
      message('theirs', { createdAt: at(14, 12) }),
      message('r3', { direction: 'out', createdAt: at(14, 13) }, { type: 'reaction', emoji: '🙏', targetMessageId: 'theirs' }),
      message('r4', { direction: 'out', createdAt: at(14, 14) }, { type: 'reaction', emoji: '', targetMessageId: 'theirs' }),
    ]);
    const rows = buildTimeline(order, byId);
    expect(rows.map((r) => r.key)).toEqual(['ours', 'theirs']);
    expect(rows[0]!.reactions).toEqual([{ emoji: '❤', direction: 'in' }]);
    expect(rows[1]!.reactions).toEqual([]);
  });

  it('keeps a reaction whose target is not loaded as a row of its own', () => {
    const { order, byId } = index([message('r', { createdAt: at(14, 10) }, { type: 'reaction', emoji: '👍', targetMessageId: 'older-than-loaded' })]);
    expect(buildTimeline(order, byId).map((r) => r.key)).toEqual(['r']);
  });

  it('is empty for an empty conversation', () => {
    expect(buildTimeline([], {})).toEqual([]);
  });
});

describe('reuseRows', () => {
  it('keeps the row objects whose message and decorations did not change', () => {
    const a = message('a', { createdAt: at(14, 9) });
    const b = message('b', { direction: 'out', status: 'sent', createdAt: at(14, 10) });
    const first = buildTimeline(['a', 'b'], { a, b });
    const previous = new Map(first.map((r) => [r.key, r]));
    const second = reuseRows(buildTimeline(['a', 'b'], { a, b: { ...b, status: 'read' } }), previous);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]!.message.status).toBe('read');
  });
});
