import { describe, expect, it } from 'vitest';
import { bodyBudgetMs } from './body-budget';

const settings = { bodyTimeoutMs: 15_000, uploadMinBytesPerSecond: 65_536, maxUploadBytes: 100 * 1024 * 1024 };

describe('bodyBudgetMs', () => {
  it.each([
    ['a webhook', 'POST', '/webhook', 3_000_000, 15_000],
    ['a sign-in', 'POST', '/v1/auth/session', 200, 15_000],
    ['a poll post', 'POST', '/v1/poll/0190b8a0-0000-7000-8000-000000000001', 900, 15_000],
    ['the long-poll wait', 'GET', '/v1/poll/0190b8a0-0000-7000-8000-000000000001', undefined, null],
    ['a 1 MiB upload: 16 s more', 'POST', '/v1/media', 1024 * 1024, 15_000 + 16_000],
    ['an upload of no declared length: the largest size’s time', 'POST', '/v1/media', undefined, 15_000 + 1_600_000],
    ['an upload declaring more than the largest size', 'POST', '/v1/media', 10 * 1024 * 1024 * 1024, 15_000 + 1_600_000],
    ['a media download (no body to wait for)', 'GET', '/v1/media/0190b8a0-0000-7000-8000-000000000001', undefined, 15_000],
  ])('%s', (_name, method, pathname, declared, expected) => {
    expect(bodyBudgetMs(method, pathname, declared, settings)).toBe(expected);
  });
});
