// UUIDv7 (RFC 9562): time-ordered ids the console gives a message when it is first saved.

/**
 * Layout: 48 bits of Unix milliseconds, version 7, 12 bits of counter (rand_a), variant 0b10,
 * 62 random bits. The counter (RFC 9562 §6.2, method 1) is seeded randomly each millisecond and
 * incremented within it, so ids from one generator sort in creation order even inside one
 * millisecond and even if the wall clock steps backwards.
 */
export interface UuidV7Source {
  now(): number;
  /** Fills the array with cryptographically strong random bytes. */
  fillRandom(bytes: Uint8Array): void;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const MAX_TIMESTAMP = 2 ** 48 - 1;
const COUNTER_MAX = 0xfff;

export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7_PATTERN.test(value);
}

/** The millisecond timestamp an id was minted with. */
export function uuidV7Timestamp(id: string): number {
  if (!isUuidV7(id)) throw new TypeError('not a UUIDv7');
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export function createUuidV7Generator(source: UuidV7Source): () => string {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);

  return function uuidv7(): string {
    source.fillRandom(bytes);
    let ms = Math.floor(source.now());
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIMESTAMP) throw new RangeError(`clock value out of UUIDv7 range: ${ms}`);

    if (ms > lastMs) {
      // New millisecond: seed the counter in the lower half so it has room to count up.
      counter = ((bytes[6]! & 0x07) << 8) | bytes[7]!;
    } else {
      // Same millisecond, or the clock went backwards: keep order by counting on from the last id.
      ms = lastMs;
      counter += 1;
      if (counter > COUNTER_MAX) {
        ms += 1;
        counter = 0;
      }
    }
    lastMs = ms;

    // 48-bit timestamp, big-endian. Bit operations are 32-bit, so split it with arithmetic.
    const high = Math.floor(ms / 2 ** 16);
    bytes[0] = (high >>> 24) & 0xff;
    bytes[1] = (high >>> 16) & 0xff;
    bytes[2] = (high >>> 8) & 0xff;
    bytes[3] = high & 0xff;
    bytes[4] = (ms >>> 8) & 0xff;
    bytes[5] = ms & 0xff;
    bytes[6] = 0x70 | (counter >>> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);

    let out = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
      out += HEX[bytes[i]!]!;
    }
    return out;
  };
}

/** The process-wide generator, on the system clock and the platform's CSPRNG. */
export const uuidv7: () => string = createUuidV7Generator({
  now: () => Date.now(),
  fillRandom: (bytes) => {
    crypto.getRandomValues(bytes);
  },
});
