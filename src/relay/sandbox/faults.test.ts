// Fault settings: what POST /sandbox/faults accepts, and how a setting counts down.
import { describe, expect, it } from 'vitest';
import { NO_FAULT, parseFaultRequest, takeFault, type GraphFault } from './faults';

describe('parseFaultRequest', () => {
  it.each([
    [{ graph: { mode: 'hang', count: 3 } }, { mode: 'hang', count: 3 }],
    [{ graph: { mode: 'throttle' } }, { mode: 'throttle', count: 1 }],
    [{ graph: { mode: 'none', count: 9 } }, NO_FAULT],
  ])('accepts %j', (body, fault) => {
    expect(parseFaultRequest(body)).toEqual({ ok: true, value: fault });
  });

  it.each([
    [null],
    [{}],
    [{ graph: 'hang' }],
    [{ graph: { mode: 'boom' } }],
    [{ graph: { mode: 'hang', count: -1 } }],
    [{ graph: { mode: 'hang', count: '2' } }],
  ])('refuses %j', (body) => {
    expect(parseFaultRequest(body).ok).toBe(false);
  });
});

describe('takeFault', () => {
  it('applies the mode count times, then none', () => {
    let current: GraphFault = { mode: 'error500', count: 2 };
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const taken = takeFault(current);
      seen.push(taken.now);
      current = taken.next;
    }
    expect(seen).toEqual(['error500', 'error500', 'none', 'none']);
    expect(current).toEqual(NO_FAULT);
  });
});
