import { describe, expect, it } from 'vitest';
import { checkOutboundMedia } from './media-limits';

const MB = 1024 * 1024;

describe('outbound media rules', () => {
  it.each([
    ['image/jpeg', 1 * MB, { ok: true, kind: 'image' }],
    ['image/png', 5 * MB, { ok: true, kind: 'image' }],
    ['IMAGE/PNG; charset=binary', 10, { ok: true, kind: 'image' }],
    ['application/pdf', 99 * MB, { ok: true, kind: 'document' }],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 10, { ok: true, kind: 'document' }],
  ] as const)('sends %s of %i bytes', (type, size, expected) => {
    expect(checkOutboundMedia(type, size)).toEqual(expected);
  });

  it.each([
    ['image/png', 5 * MB + 1, 'media_too_large'],
    ['application/pdf', 100 * MB + 1, 'media_too_large'],
    ['image/gif', 10, 'media_type_unsupported'],
    ['application/x-msdownload', 10, 'media_type_unsupported'],
    ['', 10, 'media_type_unsupported'],
  ] as const)('refuses %s of %i bytes as %s, with a message the agent can read', (type, size, code) => {
    const result = checkOutboundMedia(type, size);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.message.length).toBeGreaterThan(10);
    }
  });
});
