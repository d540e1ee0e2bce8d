// RelayConnection on fake transports and a fake clock: heartbeat, requests, ordered acked delivery, resync, fallback.
import { describe, expect, it } from 'vitest';
import { deferred, refused, settle, setup } from './test-support/fake-transports';

describe('RelayConnection heartbeat and requests', () => {
  it('pings when idle, declares the link dead after deadAfterMs of silence, and fails pending requests as offline', async () => {
    const { clock, net, conn } = setup();
    conn.start();
    const first = net.last;
    first.hello();
    clock.advance(999);
    expect(first.of('ping')).toHaveLength(0);
    clock.advance(1);
    expect(first.of('ping')).toHaveLength(1);
    first.frame({ type: 'pong' });
    const pending = conn.request('templates.list', {}, { deadlineMs: 60_000 });
    clock.advance(2_999);
    expect(conn.snapshot().status).toBe('live');
    clock.advance(1);
    expect(first.closedHow).toBe('abort');
    expect(conn.snapshot().status).toBe('backing_off');
    expect(conn.snapshot().detail?.code).toBe('dead_link');
    expect(await pending).toMatchObject({ ok: false, error: { code: 'offline', retryable: true } });
  });

  it("answers the relay's ping with pong", () => {
    const { net, conn } = setup();
    conn.start();
    net.last.hello();
    net.last.frame({ type: 'ping' });
    expect(net.last.of('pong')).toHaveLength(1);
  });

  it('request(): result, relay error, deadline, offline', async () => {
    const { clock, net, conn } = setup();
    expect(await conn.request('templates.list', {})).toMatchObject({ ok: false, error: { code: 'offline', retryable: true } });
    conn.start();
    net.last.hello();
    const a = conn.request('templates.list', {});
    const b = conn.request('conversations.assign', { conversationId: 'x', agentId: null });
    const c = conn.request('templates.list', {}, { deadlineMs: 500 });
    const [ra, rb] = net.last.of('req');
    expect(ra).toMatchObject({ method: 'templates.list', deadlineMs: 15_000 });
    net.last.frame({ type: 'res', id: rb!['id'], ok: false, error: { code: 'not_found', message: 'no such conversation', retryable: false } });
    net.last.frame({ type: 'res', id: ra!['id'], ok: true, result: { templates: [] } });
    expect(await a).toEqual({ ok: true, value: { templates: [] } });
    expect(await b).toEqual({ ok: false, error: { code: 'not_found', message: 'no such conversation', retryable: false } });
    clock.advance(500);
    expect(await c).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true } });
    await conn.stop();
    expect(await conn.request('templates.list', {})).toMatchObject({ ok: false, error: { code: 'offline' } });
  });
});

describe('RelayConnection event delivery', () => {
  it('delivers in order, acks each batch only after onEvents resolved, and batches what arrived meanwhile', async () => {
    const { net, conn, delivered, state } = setup();
    state.cursor = 5;
    conn.start();
    expect(net.last.params.since).toBe(5);
    net.last.hello({ head: 9 });
    state.gate = deferred();
    const gate = state.gate;
    net.last.events(6, 7);
    net.last.events(8);
    net.last.events(9);
    await settle();
    expect(delivered).toEqual([[6, 7]]);
    expect(net.last.acks).toEqual([]);
    state.gate = null;
    gate.resolve();
    await settle();
    expect(delivered).toEqual([
      [6, 7],
      [8, 9],
    ]);
    expect(net.last.acks).toEqual([7, 9]);
  });

  it('a gap or a repeat drops the link and resumes from the cursor', async () => {
    const { clock, net, conn, delay } = setup();
    conn.start();
    net.last.hello({ head: 3 });
    net.last.events(1, 2);
    await settle();
    net.last.events(4);
    expect(conn.snapshot().detail).toEqual({ code: 'protocol_error', params: {} });
    clock.advance(delay());
    expect(net.last.params.since).toBe(2);
  });

  it('resync: holds events until onResync resolves, then delivers them in order', async () => {
    const resync = deferred();
    const { net, conn, delivered, state } = setup({
      onResync: async (hello) => {
        await resync.promise;
        state.cursor = hello.head;
      },
    });
    state.cursor = null;
    conn.start();
    expect(net.last.params.since).toBeNull();
    net.last.hello({ mode: 'resync', head: 10 });
    expect(conn.snapshot().status).toBe('live');
    net.last.events(11, 12);
    net.last.events(13);
    await settle();
    expect(delivered).toEqual([]);
    resync.resolve();
    await settle();
    expect(delivered).toEqual([[11, 12, 13]]);
    expect(net.last.acks).toEqual([13]);
  });

  it('onEvents rejecting drops the link, and the next link resumes from the committed cursor', async () => {
    let failNext = true;
    const got: number[][] = [];
    const { clock, net, conn, state, delay } = setup({
      onEvents: async (events) => {
        got.push(events.map((e) => e.seq));
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        state.cursor = events.at(-1)!.seq;
      },
    });
    state.cursor = 4;
    conn.start();
    const first = net.last;
    first.hello({ head: 6 });
    first.events(5, 6);
    await settle();
    expect(first.acks).toEqual([]);
    expect(first.closedHow).toBe('graceful');
    expect(conn.snapshot().detail).toEqual({ code: 'local_storage_failed', params: {} });
    clock.advance(delay());
    expect(net.last.params.since).toBe(4);
    net.last.hello({ head: 6 });
    net.last.events(5, 6);
    await settle();
    expect(got).toEqual([
      [5, 6],
      [5, 6],
    ]);
    expect(net.last.acks).toEqual([6]);
  });

  it('a new attempt waits for the batch still committing, so it resumes after it', async () => {
    const { net, conn, state, delivered } = setup();
    conn.start();
    net.last.hello({ head: 2 });
    state.gate = deferred();
    const gate = state.gate;
    net.last.events(1, 2);
    net.last.end({ kind: 'closed', code: 1006, reason: '' });
    conn.retryNow();
    expect(conn.snapshot().status).toBe('connecting');
    expect(net.opened).toHaveLength(1);
    gate.resolve();
    await settle();
    expect(net.opened).toHaveLength(2);
    expect(net.last.params.since).toBe(2);
    expect(net.opened[0]!.acks).toEqual([]);
    expect(delivered).toEqual([[1, 2]]);
  });
});

describe('RelayConnection long-polling fallback', () => {
  it('polls when the upgrade is refused, probes WebSocket, and moves back at a quiet moment', async () => {
    const { clock, net, conn } = setup({ probeIntervalMs: 60_000 });
    conn.start();
    expect(net.last.kind).toBe('ws');
    net.last.end({ kind: 'http', status: 403, errorCode: null });
    // No backoff wait: the same attempt continues over long polling.
    expect(net.opened).toHaveLength(2);
    const poll = net.last;
    expect(poll.kind).toBe('poll');
    poll.hello({ deadAfterMs: 600_000 });
    expect(conn.snapshot()).toMatchObject({ status: 'polling', transport: 'poll' });

    clock.advance(60_000);
    await settle();
    expect(net.probes).toBe(1);
    expect(net.opened).toHaveLength(2);

    net.probeAnswer = true;
    const pending = conn.request('templates.list', {}, { deadlineMs: 120_000 });
    clock.advance(60_000);
    await settle();
    expect(net.probes).toBe(2);
    // A request is in flight on the poll session: switching now would lose its answer.
    expect(net.opened).toHaveLength(2);
    poll.frame({ type: 'res', id: poll.of('req')[0]!['id'], ok: true, result: {} });
    expect(await pending).toMatchObject({ ok: true });
    expect(poll.closedHow).toBe('graceful');
    expect(net.last.kind).toBe('ws');
    net.last.hello();
    expect(conn.snapshot()).toMatchObject({ status: 'live', transport: 'ws' });
  });

  it('a WebSocket trial that fails goes straight back to polling', () => {
    const { clock, net, conn, delay } = setup({ probeIntervalMs: 100 });
    conn.start();
    net.last.end({ kind: 'http', status: 405, errorCode: null });
    expect(net.last.kind).toBe('poll');
    net.last.end(refused()); // the relay is down: long polling fails too
    clock.advance(delay());
    expect(net.last.kind).toBe('poll');
    net.last.end(refused());
    clock.advance(delay());
    // Past the probe interval, the next attempt tries WebSocket, and falls back at once when it fails.
    expect(net.last.kind).toBe('ws');
    net.last.end(refused());
    expect(net.last.kind).toBe('poll');
    expect(conn.snapshot()).toMatchObject({ status: 'connecting', transport: 'poll' });
  });

  it('transport "ws" does not fall back', () => {
    const { net, conn } = setup({ transport: 'ws' });
    conn.start();
    net.last.end({ kind: 'http', status: 403, errorCode: null });
    expect(conn.snapshot()).toMatchObject({ status: 'backing_off', detail: { code: 'upgrade_refused', params: { httpStatus: 403 } } });
    expect(net.opened).toHaveLength(1);
  });
});
