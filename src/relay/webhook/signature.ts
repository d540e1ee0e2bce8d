// Checks Meta's X-Hub-Signature-256 header against the raw webhook body, in constant time.
import { createHmac } from 'node:crypto';
import { secretsEqual } from '../../node-shared/secret-compare';

const PREFIX = 'sha256=';
/** SHA-256 is 32 bytes: 64 hex digits. */
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/**
 * `headerValue` is `sha256=<hex HMAC-SHA256 of rawBody keyed with appSecret>`. The HMAC must be
 * over the bytes as received: re-serialised JSON differs in whitespace and escapes, and would fail.
 * The shape checks below look only at the header the sender chose; the comparison with our own
 * digest is secretsEqual, so its duration says nothing about how many bytes matched.
 */
export function verifySignature(rawBody: Buffer, headerValue: string | undefined, appSecret: string): boolean {
  if (!(rawBody instanceof Uint8Array) || typeof headerValue !== 'string') return false;
  // An empty secret would make the HMAC forgeable by anyone: treat it as misconfiguration, never as a key.
  if (typeof appSecret !== 'string' || appSecret.length === 0) return false;
  if (!headerValue.startsWith(PREFIX)) return false;
  const hex = headerValue.slice(PREFIX.length);
  if (!HEX_DIGEST.test(hex)) return false;

  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return secretsEqual(Buffer.from(hex, 'hex'), expected);
}
