// RelayConnection reconnect policy on fake transports and a fake clock (no real time): backoff and close codes.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { POLICY, refused, setup } from './test-support/fake-transports';

describe('RelayConnection backoff (fake clock, fake transport)', () => {
  it('grows delays with full jitter up to the cap, resets only after a stable link, and retryNow skips the wait', () => {
    const { clock, net, conn, delay } = setup();
    conn.start();
    expect(net.opened).toHaveLength(1);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      net.last.end(refused());
      const d = delay();
      delays.push(d);
      clock.advance(d - 1);
      expect(net.opened).toHaveLength(i + 1);
      clock.advance(1);
      expect(net.opened).toHaveLength(i + 2);
    }
    // random 0.5 of ceilings 100, 200, 400, 800, then the 1000 cap.
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);

    // Live, but not for long: the count is not reset.
    net.last.hello({ deadAfterMs: 600_000 });
    expect(conn.snapshot().status).toBe('live');
    clock.advance(POLICY.resetAfterMs - 1);
    net.last.end({ kind: 'closed', code: 1006, reason: '' });
    expect(delay()).toBe(500);

    // Live past resetAfterMs: the next failure starts from the base again.
    conn.retryNow();
    expect(net.opened).toHaveLength(8);
    net.last.hello({ deadAfterMs: 600_000 });
    clock.advance(POLICY.resetAfterMs);
    net.last.end({ kind: 'closed', code: 1006, reason: '' });
    expect(delay()).toBe(50);
    net.last.end(refused()); // ignored: that transport is gone
    clock.advance(50);
    net.last.end(refused());
    expect(delay()).toBe(100);

    // retryNow: the next attempt starts at once, without the clock moving.
    const before = clock.monotonicNow();
    conn.retryNow();
    expect(net.opened).toHaveLength(10);
    expect(clock.monotonicNow()).toBe(before);
    expect(conn.snapshot()).toMatchObject({ status: 'connecting', nextAttemptAtMono: null });
  });

  it('reads the jitter from random(): the delay spans [0, ceiling)', () => {
    let sample = 0;
    const { net, conn, delay } = setup({ random: () => sample });
    conn.start();
    net.last.end(refused());
    expect(delay()).toBe(0);
    conn.retryNow();
    sample = 0.999;
    net.last.end(refused());
    expect(delay()).toBe(199);
  });
});

describe('RelayConnection close codes', () => {
  it('4001 → credentials_needed: no retry, not even on retryNow, until setToken', () => {
    const { clock, net, conn, delay } = setup();
    conn.start();
    net.last.end({ kind: 'closed', code: 4001, reason: 'unknown or revoked token' });
    expect(conn.snapshot()).toMatchObject({ status: 'credentials_needed', nextAttemptAtMono: null });
    expect(conn.snapshot().detail).toEqual({ code: 'token_refused', params: { closeCode: 4001 } });
    clock.advance(10 * 60_000);
    conn.retryNow();
    expect(net.opened).toHaveLength(1);
    conn.setToken('tok-2');
    conn.retryNow();
    expect(net.opened).toHaveLength(2);
    expect(net.last.params.token).toBe('tok-2');
    net.last.end(refused());
    expect(delay()).toBe(50);
  });

  it.each([
    [4002, 'unsupported_version'],
    [4009, 'superseded'],
  ] as const)('%i → %s, and nothing more until start()', (code, status) => {
    const { clock, net, conn } = setup();
    conn.start();
    net.last.hello();
    net.last.end({ kind: 'closed', code, reason: '' });
    expect(conn.snapshot().status).toBe(status);
    clock.advance(10 * 60_000);
    conn.retryNow();
    expect(net.opened).toHaveLength(1);
    conn.start();
    expect(net.opened).toHaveLength(2);
  });

  it('1012 → back soon without growing the backoff; 1008 → waits the longest delay', () => {
    const { clock, net, conn, delay } = setup();
    conn.start();
    for (let i = 0; i < 3; i++) {
      net.last.end(refused());
      clock.advance(delay());
    }
    net.last.hello();
    net.last.end({ kind: 'closed', code: 1012, reason: 'relay restarting' });
    expect(delay()).toBe(50);
    expect(conn.snapshot().detail).toEqual({ code: 'relay_restarting', params: { closeCode: 1012 } });
    clock.advance(50);
    net.last.end(refused());
    expect(delay()).toBe(400);
    clock.advance(400);
    net.last.hello();
    net.last.end({ kind: 'closed', code: 1008, reason: 'bad handshake' });
    expect(delay()).toBe(500);
  });

  it('a long-poll 401 → credentials_needed', () => {
    const { net, conn } = setup({ transport: 'poll' });
    conn.start();
    expect(net.last.kind).toBe('poll');
    net.last.end({ kind: 'http', status: 401, errorCode: 'unauthorized' });
    expect(conn.snapshot().status).toBe('credentials_needed');
  });

  it('a TLS failure is reported as such, not as offline', () => {
    const { net, conn } = setup();
    conn.start();
    net.last.end({ kind: 'network', error: Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }) });
    expect(conn.snapshot()).toMatchObject({
      status: 'backing_off',
      tlsProblem: true,
      detail: { code: 'tls_untrusted', params: { error: 'SELF_SIGNED_CERT_IN_CHAIN' } },
    });
    conn.retryNow();
    net.last.hello();
    expect(conn.snapshot()).toMatchObject({ status: 'live', tlsProblem: false, detail: null });
  });

  it('a hello of another protocol version → unsupported_version', () => {
    const { net, conn } = setup();
    conn.start();
    net.last.frame({ type: 'hello', protocol: PROTOCOL_VERSION + 1 });
    expect(conn.snapshot()).toMatchObject({ status: 'unsupported_version', transport: null });
    expect(net.last.closedHow).toBe('graceful');
  });

  it('stop() closes the link gracefully and nothing reconnects afterwards', async () => {
    const { clock, net, conn, states } = setup();
    conn.start();
    net.last.hello();
    await conn.stop();
    expect(net.last.closedHow).toBe('graceful');
    expect(conn.snapshot()).toMatchObject({ status: 'stopped', transport: null, nextAttemptAtMono: null });
    net.last.end({ kind: 'closed', code: 1006, reason: '' }); // late news from the closed transport is ignored
    clock.advance(60_000);
    expect(net.opened).toHaveLength(1);
    expect(states.at(-1)?.status).toBe('stopped');
  });
});
