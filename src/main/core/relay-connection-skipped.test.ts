// Protocol v2's need-to-know on the link (fake transports): an events.skipped stands for every seq from its fromSeq to
// its own, so the stream stays gap-free; one that does not start where the stream is, is a protocol error.
import { describe, expect, it } from 'vitest';
import { settle, setup } from './test-support/fake-transports';

const skipped = (seq: number, fromSeq: number) => ({ seq, event: { kind: 'events.skipped', fromSeq } });
const status = (seq: number) => ({
  seq,
  event: { kind: 'message.status', messageId: `m-${seq}`, conversationId: 'c-1', status: 'sent', failure: null, at: seq },
});

describe('events.skipped on the link', () => {
  it('accounts for the seqs it covers: delivered, committed and acked like any event, and the next one follows it', async () => {
    const { net, conn, delivered, state } = setup();
    state.cursor = 5;
    conn.start();
    net.last.hello({ head: 5 });
    net.last.frame({ type: 'events', events: [status(6), skipped(40, 7), status(41)] });
    await settle();
    expect(delivered).toEqual([[6, 40, 41]]);
    expect(net.last.acks).toEqual([41]);
    expect(state.cursor).toBe(41);
    expect(conn.snapshot().status).toBe('live');
  });

  it('a skip that leaves a gap (or repeats seqs) drops the link as a protocol error, nothing delivered', async () => {
    const { net, conn, delivered } = setup();
    conn.start();
    net.last.hello({ head: 0 });
    net.last.frame({ type: 'events', events: [status(1), skipped(9, 3)] });
    await settle();
    expect(delivered).toEqual([]);
    expect(conn.snapshot()).toMatchObject({ status: 'backing_off', detail: { code: 'protocol_error' } });
  });

  it('after a resync with nothing held, acks head: the relay learns this device caught up', async () => {
    const { net, conn } = setup({ cursor: () => null });
    conn.start();
    net.last.hello({ mode: 'resync', head: 12 });
    await settle();
    expect(net.last.acks).toEqual([12]);
  });
});
