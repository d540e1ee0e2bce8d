// How a sent message's statuses combine, in whatever order Meta's webhooks arrive.
import { describe, expect, it } from 'vitest';
import type { MessageStatus, SendFailure } from '../../shared/domain';
import { adoptsLostSend, completionStatuses, statusChange } from './status-rules';

const failure: SendFailure = { code: 'undeliverable', message: 'Message undeliverable', metaCode: 131026 };

describe('merging a status into a message', () => {
  it('moves forward only: a late "delivered" never overwrites "read", a repeat changes nothing', () => {
    expect(statusChange('sent', { status: 'delivered', failure: null })).toEqual({ status: 'delivered', failure: null });
    expect(statusChange('read', { status: 'delivered', failure: null })).toBeNull();
    expect(statusChange('delivered', { status: 'delivered', failure: null })).toBeNull();
  });

  it('keeps Meta’s failure with a failed message, and drops it once a delivery receipt proves it arrived', () => {
    expect(statusChange('sent', { status: 'failed', failure })).toEqual({ status: 'failed', failure });
    expect(statusChange('failed', { status: 'delivered', failure: null })).toEqual({ status: 'delivered', failure: null });
    expect(statusChange('delivered', { status: 'failed', failure })).toBeNull();
  });
});

describe('statuses that arrive before the send’s own answer', () => {
  it('adopts a send that never heard Meta’s answer, and nothing else', () => {
    expect(adoptsLostSend({ direction: 'out', wamid: null })).toBe(true);
    expect(adoptsLostSend({ direction: 'out', wamid: 'wamid.KNOWN' })).toBe(false);
    expect(adoptsLostSend({ direction: 'in', wamid: null })).toBe(false);
    expect(adoptsLostSend(undefined)).toBe(false);
  });

  it('applies "sent" first and then the statuses that raced ahead, so the message ends where Meta says it is', () => {
    const updates = completionStatuses([
      { status: 'read', failure: null },
      { status: 'delivered', failure: null },
    ]);
    expect(updates.map((u) => u.status)).toEqual(['sent', 'read', 'delivered']);
    let status: MessageStatus = 'pending';
    for (const update of updates) status = statusChange(status, update)?.status ?? status;
    expect(status).toBe('read');
  });
});
