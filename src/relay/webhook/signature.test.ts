// Proves the webhook signature check accepts exactly Meta's HMAC over the raw bytes and nothing else.
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifySignature } from './signature';

const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
const SECRET = 'a3f1c0ffee-app-secret';
const FIXTURE_NAMES = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));

function raw(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

function sign(body: Buffer | string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('verifySignature', () => {
  it('finds the fixtures', () => {
    expect(FIXTURE_NAMES).toContain('inbound-text.json');
  });

  it.each(FIXTURE_NAMES)('accepts the signature over the raw bytes of %s', (name) => {
    const body = raw(name);
    expect(verifySignature(body, sign(body), SECRET)).toBe(true);
  });

  it('agrees with the published HMAC-SHA256 test vector (RFC 4231, case 2)', () => {
    const body = Buffer.from('what do ya want for nothing?');
    const header = 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(verifySignature(body, header, 'Jefe')).toBe(true);
  });

  it('accepts the hex digest in upper or mixed case', () => {
    const body = raw('inbound-text.json');
    const hex = sign(body).slice('sha256='.length);
    expect(verifySignature(body, `sha256=${hex.toUpperCase()}`, SECRET)).toBe(true);
    const mixed = [...hex].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
    expect(verifySignature(body, `sha256=${mixed}`, SECRET)).toBe(true);
  });

  it('rejects the body when any one byte is changed', () => {
    const body = raw('inbound-text.json');
    const header = sign(body);
    fc.assert(
      fc.property(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const tampered = Buffer.from(body);
        tampered[index] = (tampered[index] ?? 0) ^ mask;
        expect(verifySignature(tampered, header, SECRET)).toBe(false);
      }),
    );
  });

  it('rejects a body with bytes appended or removed', () => {
    const body = raw('status-read.json');
    const header = sign(body);
    expect(verifySignature(Buffer.concat([body, Buffer.from('\n')]), header, SECRET)).toBe(false);
    expect(verifySignature(body.subarray(0, body.length - 1), header, SECRET)).toBe(false);
  });

  it('rejects a signature made with a different secret', () => {
    const body = raw('inbound-text.json');
    expect(verifySignature(body, sign(body, 'another-secret'), SECRET)).toBe(false);
    expect(verifySignature(body, sign(body), `${SECRET}x`)).toBe(false);
  });

  it.each(['inbound-text.json', 'inbound-reaction.json'])('rejects the signature of %s once the JSON is re-serialised, because the bytes differ', (name) => {
    const body = raw(name);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expect(reserialised.equals(body)).toBe(false);
    expect(verifySignature(reserialised, sign(body), SECRET)).toBe(false);
    expect(verifySignature(body, sign(reserialised), SECRET)).toBe(false);
  });

  it('refuses every request when the app secret is empty, even one signed with the empty key', () => {
    const body = raw('inbound-text.json');
    expect(verifySignature(body, sign(body, ''), '')).toBe(false);
  });

  describe('missing or garbled headers', () => {
    const body = raw('inbound-text.json');
    const good = sign(body);
    const hex = good.slice('sha256='.length);

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['prefix only', 'sha256='],
      ['no prefix', hex],
      ['another algorithm', `sha1=${hex}`],
      ['a different label of the same length', `sha512=${hex}`],
      ['prefix without =', `sha256${hex}`],
      ['one digit short', good.slice(0, -1)],
      ['one digit long', `${good}0`],
      ['half the digest', good.slice(0, 'sha256='.length + 32)],
      ['twice the digest', `${good}${hex}`],
      ['non-hex digit', `sha256=${hex.slice(0, -1)}g`],
      ['base64 instead of hex', `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}`],
      ['leading space', ` ${good}`],
      ['trailing space', `${good} `],
      ['trailing newline', `${good}\n`],
      ['two signatures', `${good},${good}`],
      ['all zeros', `sha256=${'0'.repeat(64)}`],
    ])('rejects %s', (_label, header) => {
      expect(verifySignature(body, header, SECRET)).toBe(false);
    });

    it('never accepts or throws on an arbitrary header', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.string().map((s) => `sha256=${s}`),
            fc.stringMatching(/^sha256=[0-9a-fA-F]{0,70}$/),
          ),
          (header) => {
            fc.pre(header.toLowerCase() !== good);
            expect(verifySignature(body, header, SECRET)).toBe(false);
          },
        ),
      );
    });
  });
});
