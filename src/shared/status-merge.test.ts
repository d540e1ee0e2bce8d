import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_STATUSES, type MessageStatus } from './domain';
import { mergeStatus, statusAdvances } from './status-merge';

/** Every ordering of a list (for the small lists here). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const fold = (statuses: readonly MessageStatus[], start: MessageStatus = 'pending') => statuses.reduce(mergeStatus, start);

describe('status merge', () => {
  it.each([
    // statuses as they arrived (every order is tried), the status the agent must end up seeing
    [['sent', 'delivered', 'read'], 'read'],
    [['sent', 'delivered'], 'delivered'],
    [['sent', 'failed'], 'failed'],
    [['sent', 'failed', 'delivered'], 'delivered'],
    [['failed', 'read'], 'read'],
    [['pending', 'sent'], 'sent'],
    [['queued', 'pending', 'sent', 'delivered', 'read', 'failed'], 'read'],
  ] as const)('%j in any order ends as %s', (arrivals, expected) => {
    for (const order of permutations(arrivals)) {
      expect(fold(order, 'queued')).toBe(expected);
    }
  });

  it('never lets a late "delivered" overwrite "read"', () => {
    expect(mergeStatus('read', 'delivered')).toBe('read');
    expect(statusAdvances('read', 'delivered')).toBe(false);
  });

  it('ignores repeats (Meta delivers webhooks at least once)', () => {
    expect(fold(['delivered', 'delivered', 'delivered'], 'sent')).toBe('delivered');
    expect(statusAdvances('delivered', 'delivered')).toBe(false);
  });

  const status = fc.constantFrom(...MESSAGE_STATUSES);

  it('is commutative, associative and idempotent, so arrival order never matters', () => {
    fc.assert(
      fc.property(status, status, status, (a, b, c) => {
        expect(mergeStatus(a, b)).toBe(mergeStatus(b, a));
        expect(mergeStatus(mergeStatus(a, b), c)).toBe(mergeStatus(a, mergeStatus(b, c)));
        expect(mergeStatus(a, a)).toBe(a);
      }),
    );
  });

  it('gives the same result for any shuffle of any sequence', () => {
    fc.assert(
      fc.property(
        fc.array(status, { maxLength: 12 }).chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length }))),
        ([xs, shuffled]) => {
          expect(fold(shuffled, 'queued')).toBe(fold(xs, 'queued'));
        },
      ),
    );
  });
});
