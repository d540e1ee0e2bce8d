import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientFrame, MAX_FRAME_BYTES, ServerFrame, parseFrame } from './protocol';
import { METHODS } from './protocol-methods';

describe('frame parser', () => {
  it.each([
    ['{"type":"req","id":"1","method":"templates.list","params":{}}', true],
    ['{"type":"ack","seq":42}', true],
    ['{"type":"ping"}', true],
    ['{"type":"req","id":"1","method":"x","params":{},"extra":"ignored"}', true],
    ['{"type":"ack","seq":-1}', false],
    ['{"type":"ack","seq":1.5}', false],
    ['{"type":"ack","seq":"42"}', false],
    ['{"type":"req","method":"x","params":{}}', false],
    ['{"type":"req","id":"","method":"x","params":{}}', false],
    ['{"type":"req","id":"1","method":"x","deadlineMs":0}', false],
    ['{"type":"hello"}', false],
    ['[]', false],
    ['null', false],
    ['{', false],
  ])('%s → accepted=%s', (text, accepted) => {
    expect(parseFrame(ClientFrame, text).ok).toBe(accepted);
  });

  it('refuses a frame over the size limit without parsing it', () => {
    const result = parseFrame(ClientFrame, `{"type":"ping","pad":"${'x'.repeat(MAX_FRAME_BYTES)}"}`);
    expect(result).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
  });

  it('never throws, and never echoes the input in its refusal (fuzzed)', () => {
    const anyText = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom('{"type":"req"', '\u0000', '{"__proto__":{"x":1}}'),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        for (const result of [parseFrame(ClientFrame, text), parseFrame(ServerFrame, text)]) {
          if (!result.ok) {
            expect(result.error.code).toMatch(/^(invalid_input|payload_too_large)$/);
            if (text.length > 12) expect(result.error.message).not.toContain(text);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts every well-formed client frame it is given (fuzzed)', () => {
    const frame = fc.oneof(
      fc.record({ type: fc.constant('ack'), seq: fc.nat() }),
      fc.record({
        type: fc.constant('req'),
        id: fc.string({ minLength: 1, maxLength: 64 }),
        method: fc.string({ minLength: 1, maxLength: 64 }),
        params: fc.jsonValue(),
      }),
      fc.constant({ type: 'ping' }),
    );
    fc.assert(
      fc.property(frame, (f) => {
        expect(parseFrame(ClientFrame, JSON.stringify(f)).ok).toBe(true);
      }),
    );
  });
});

describe('method params', () => {
  const uuid = '019ab3c2-6a00-7c11-8f00-1a2b3c4d5e6f';
  it.each([
    [{ clientMessageId: uuid, conversationId: 'c1', content: { type: 'text', body: 'hi' } }, true],
    [{ clientMessageId: uuid, waId: '972541234567', content: { type: 'text', body: 'hi' } }, true],
    [{ clientMessageId: uuid, conversationId: 'c1', waId: '972541234567', content: { type: 'text', body: 'hi' } }, false],
    [{ clientMessageId: uuid, content: { type: 'text', body: 'hi' } }, false],
    [{ clientMessageId: 'not-a-uuid', conversationId: 'c1', content: { type: 'text', body: 'hi' } }, false],
    [{ clientMessageId: uuid, conversationId: 'c1', content: { type: 'text', body: 'x'.repeat(4_097) } }, false],
    [{ clientMessageId: uuid, conversationId: '../../etc', content: { type: 'text', body: 'hi' } }, false],
    [{ clientMessageId: uuid, waId: '+972541234567', content: { type: 'text', body: 'hi' } }, false],
    [{ clientMessageId: uuid, conversationId: 'c1', content: { type: 'sticker', mediaId: 'm' } }, false],
  ])('messages.send %j → valid=%s', (params, valid) => {
    expect(METHODS['messages.send'].params.safeParse(params).success).toBe(valid);
  });
});
