import { describe, expect, it } from 'vitest';
import { createUuidV7Generator, isUuidV7, uuidV7Timestamp, uuidv7 } from './uuidv7';

/** A deterministic byte source: tests pin exact values without depending on the CSPRNG. */
function counterBytes(seed: number) {
  let x = seed;
  return (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1_103_515_245 + 12_345) >>> 0;
      bytes[i] = x >>> 24;
    }
  };
}

describe('uuidv7', () => {
  it('produces RFC 9562 version-7, variant-10 ids', () => {
    for (let i = 0; i < 1_000; i++) {
      const id = uuidv7();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(isUuidV7(id)).toBe(true);
    }
  });

  it('encodes the creation time in the first 48 bits', () => {
    const at = Date.UTC(2026, 10, 24, 9, 30, 15, 123);
    const next = createUuidV7Generator({ now: () => at, fillRandom: counterBytes(1) });
    const id = next();
    expect(uuidV7Timestamp(id)).toBe(at);
    expect(id.slice(0, 13)).toBe(`${at.toString(16).padStart(12, '0').slice(0, 8)}-${at.toString(16).padStart(12, '0').slice(8)}`);
  });

  it('sorts in creation order within one millisecond', () => {
    const next = createUuidV7Generator({ now: () => 1_700_000_000_000, fillRandom: counterBytes(7) });
    const ids = Array.from({ length: 5_000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps order when the wall clock steps backwards', () => {
    let now = 1_700_000_000_500;
    const next = createUuidV7Generator({ now: () => now, fillRandom: counterBytes(3) });
    const before = next();
    now -= 60_000; // NTP correction, or the agent fixing the PC's clock
    const after = next();
    expect(after > before).toBe(true);
  });

  it('moves to the next millisecond rather than wrap the counter', () => {
    const next = createUuidV7Generator({ now: () => 1_000, fillRandom: counterBytes(11) });
    const ids = Array.from({ length: 10_000 }, () => next()); // far more than 4,096 per ms
    expect([...ids].sort()).toEqual(ids);
    expect(uuidV7Timestamp(ids.at(-1)!)).toBeGreaterThan(1_000);
  });

  it('is unique across many ids from the real generator', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => uuidv7()));
    expect(ids.size).toBe(20_000);
  });

  it.each([Number.NaN, -1, 2 ** 48])('refuses a clock reading of %s', (bad) => {
    const next = createUuidV7Generator({ now: () => bad, fillRandom: counterBytes(1) });
    expect(() => next()).toThrow(RangeError);
  });

  it.each(['', 'not-a-uuid', '0190b3e4-1f2a-4c3b-8d4e-5f6a7b8c9d0e', '0190B3E4-1F2A-7C3B-8D4E-5F6A7B8C9D0E'])('does not take %s for a UUIDv7', (value) => {
    expect(isUuidV7(value)).toBe(false);
    expect(() => uuidV7Timestamp(value)).toThrow(TypeError);
  });
});
