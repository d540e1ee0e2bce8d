import { describe, expect, it } from 'vitest';
import { ERROR_CODES, appError, fail, isErrorCode, ok, toAppError } from './errors';

describe('errors and Result', () => {
  it('has no duplicate codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it.each([
    ['rate_limited', true],
    ['timeout', true],
    ['unavailable', true],
    ['template_required', false],
    ['unauthorized', false],
    ['invalid_input', false],
  ] as const)('treats %s as retryable=%s by default', (code, retryable) => {
    expect(appError(code, 'x').retryable).toBe(retryable);
  });

  it('builds both Result arms', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('not_found', 'conversation not found')).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'conversation not found', retryable: false },
    });
  });

  it('reads a well-formed error back from untrusted data', () => {
    expect(toAppError({ code: 'rate_limited', message: 'slow down', retryable: false })).toEqual({
      code: 'rate_limited',
      message: 'slow down',
      retryable: false,
    });
    expect(toAppError({ code: 'timeout', message: 'deadline passed' }).retryable).toBe(true);
  });

  it.each([null, undefined, 'boom', 42, {}, { code: 'made_up', message: 'x' }, { code: 'timeout' }, { code: 'timeout', message: 7 }])(
    'turns %o into a non-retryable internal error',
    (value) => {
      expect(toAppError(value)).toEqual({ code: 'internal', message: 'malformed error value', retryable: false });
    },
  );

  it('recognises only known codes', () => {
    expect(isErrorCode('conflict')).toBe(true);
    expect(isErrorCode('CONFLICT')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});
