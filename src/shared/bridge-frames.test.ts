// The web bridge reads only frames it understands: answers settle their call, unknown things are dropped.
import { describe, expect, it } from 'vitest';
import { parseBridgeFrame } from './bridge-frames';

const text = (value: unknown) => JSON.stringify(value);

describe('parseBridgeFrame', () => {
  it('reads an answer and an event as the preview server sends them', () => {
    expect(parseBridgeFrame(text({ type: 'result', id: 3, result: { ok: true, value: { items: [] } } }))).toEqual({
      type: 'result',
      id: 3,
      result: { ok: true, value: { items: [] } },
    });
    expect(parseBridgeFrame(text({ type: 'result', id: 4, result: { ok: false, error: { code: 'offline', message: 'not live' } } }))).toEqual({
      type: 'result',
      id: 4,
      result: { ok: false, error: { code: 'offline', message: 'not live' } },
    });
    expect(parseBridgeFrame(text({ type: 'event', event: 'connection.changed', payload: { status: 'live' } }))).toEqual({
      type: 'event',
      event: 'connection.changed',
      payload: { status: 'live' },
    });
  });

  it('turns an answer it cannot read into a failure of that call, so the call does not hang', () => {
    expect(parseBridgeFrame(text({ type: 'result', id: 5, result: 'yes' }))).toMatchObject({ id: 5, result: { ok: false, error: { code: 'internal' } } });
    expect(parseBridgeFrame(text({ type: 'result', id: 6, result: { ok: false, error: { code: 'exploded', message: 'x' } } }))).toMatchObject({
      id: 6,
      result: { ok: false, error: { code: 'internal', message: 'x' } },
    });
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown event', text({ type: 'event', event: 'disk.formatted', payload: {} })],
    ['an answer without an id', text({ type: 'result', result: { ok: true, value: 1 } })],
    ['the server complaining about our frame', text({ type: 'error', message: 'expected a call' })],
    ['something else entirely', text([1, 2, 3])],
  ])('drops %s', (_what, frame) => {
    expect(parseBridgeFrame(frame)).toBeNull();
  });
});
