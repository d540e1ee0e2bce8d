// The one comparison for secrets (tokens, signatures): its duration says nothing about the secret, not even its length.
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` equals `expected`, in time that depends on neither. Both sides are hashed first
 * (SHA-256), so timingSafeEqual always compares 32 bytes and a wrong length returns no sooner than
 * a wrong byte. Strings are hashed as UTF-16 code units, so two different strings never collapse
 * into one (UTF-8 would turn every lone surrogate into the same replacement character).
 */
export function secretsEqual(given: string, expected: string): boolean;
export function secretsEqual(given: Uint8Array, expected: Uint8Array): boolean;
export function secretsEqual(given: string | Uint8Array, expected: string | Uint8Array): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(value: string | Uint8Array): Buffer {
  const hash = createHash('sha256');
  // A prefix per kind keeps a string and the bytes of its encoding from ever comparing equal.
  if (typeof value === 'string') hash.update('s').update(value, 'utf16le');
  else hash.update('b').update(value);
  return hash.digest();
}
