// Which refusals fail a message for the agent to see, and which keep it queued: a table.
import { describe, expect, it } from 'vitest';
import { appError, type ErrorCode } from '../../../shared/errors';
import { failureFor } from './send-failure';

describe('a refused send', () => {
  it.each<[ErrorCode, boolean, string | null]>([
    ['template_required', false, 'template_required'],
    ['media_too_large', false, 'media_too_large'],
    ['media_type_unsupported', false, 'media_type_unsupported'],
    ['invalid_input', false, 'invalid_input'],
    ['payload_too_large', false, 'invalid_input'],
    ['not_found', false, 'rejected'],
    ['conflict', false, 'rejected'],
    ['forbidden', false, 'rejected'],
    // Not the message's fault: it stays queued and goes when the condition passes.
    ['unauthorized', false, null],
    ['internal', false, null],
    ['rate_limited', true, null],
    ['offline', true, null],
    ['template_required', true, null],
  ])('%s (retryable %s) → %s', (code, retryable, failed) => {
    expect(failureFor(appError(code, 'the relay said no', retryable))?.code ?? null).toBe(failed);
  });

  it('tells the agent what to do about a closed window, in words', () => {
    expect(failureFor(appError('template_required', 'closed', false))?.message).toMatch(/template/);
  });
});
