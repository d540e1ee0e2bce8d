// RelayConnection against a real relay on loopback: delivery and acks, resume, dead links, credentials, requests.
import { afterEach, describe, expect, it } from 'vitest';
import { generateAgentToken, hashAgentToken } from '../../relay/agent-tokens';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import { customerWrites, range, testDevice, type TestDevice } from './test-support/relay-device';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy';

let relay: TestRelay | undefined;
let proxy: TcpProxy | undefined;
const devices: TestDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) await d.conn.stop();
  await proxy?.close();
  await relay?.stop();
  proxy = undefined;
  relay = undefined;
});

async function setup(env: Record<string, string> = {}): Promise<{ relay: TestRelay; proxy: TcpProxy }> {
  relay = await startTestRelay({ sandbox: true, env });
  proxy = await startTcpProxy({ targetPort: relay.relay.port });
  return { relay, proxy };
}

function track(device: TestDevice): TestDevice {
  devices.push(device);
  return device;
}

const isLive = (d: TestDevice) => (d.conn.snapshot().status === 'live' ? true : undefined);
const caughtUp = async (r: TestRelay, d: TestDevice) => {
  const head = await r.relay.store.head();
  return head > 0 && d.cursor === head ? head : undefined;
};
/** Waits this long to show that something does NOT happen (no timing is asserted). */
const quietPeriod = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RelayConnection with a real relay', () => {
  it('goes live, delivers a customer message, acks only after commit; a second connection resumes right after the acked cursor', async () => {
    const { relay: r } = await setup();
    const a = track(testDevice(r.relay.url, r.token));
    a.conn.start();
    await waitFor('live', () => isLive(a));
    expect(a.conn.snapshot()).toMatchObject({ status: 'live', transport: 'ws', agent: { id: 'ana', name: 'Ana Cohen' }, detail: null, tlsProblem: false });

    await customerWrites(r.relay.url, 'Hi, I need my statement.');
    const head1 = await waitFor('first events committed', () => caughtUp(r, a));
    expect(a.committed).toEqual(range(1, head1));
    // Every ack follows the commit of the seq it acknowledges.
    const order = a.log.filter((l) => l.event === 'test.committed' || l.event === 'relay.acked');
    expect(order.some((l) => l.event === 'relay.acked')).toBe(true);
    for (const [i, entry] of order.entries()) {
      if (entry.event !== 'relay.acked') continue;
      const committedBefore = order
        .slice(0, i)
        .filter((l) => l.event === 'test.committed')
        .map((l) => l.fields['seq'] as number);
      expect(Math.max(...committedBefore)).toBeGreaterThanOrEqual(entry.fields['seq'] as number);
    }
    await a.conn.stop();
    expect(a.conn.snapshot().status).toBe('stopped');

    await customerWrites(r.relay.url, 'Are you there?');
    const b = track(testDevice(r.relay.url, r.token, { startCursor: a.cursor }));
    b.conn.start();
    const head2 = await waitFor('second device caught up', () => caughtUp(r, b));
    expect(head2).toBeGreaterThan(head1);
    expect(b.log.find((l) => l.event === 'relay.live')?.fields).toMatchObject({ mode: 'resume', since: head1 });
    expect([...a.committed, ...b.committed]).toEqual(range(1, head2));
  });

  it('resumes after the connection is dropped or a frame is cut mid-way: no gap, no duplicate', async () => {
    const { relay: r, proxy: p } = await setup();
    const d = track(testDevice(p.url, r.token));
    d.conn.start();
    await waitFor('live', () => isLive(d));
    await customerWrites(r.relay.url, 'one');
    await waitFor('caught up', () => caughtUp(r, d));

    p.dropAll();
    await waitFor('reconnected after the drop', () => (p.accepted >= 2 && isLive(d) ? true : undefined));
    await customerWrites(r.relay.url, 'two');
    await waitFor('caught up after the drop', () => caughtUp(r, d));

    p.cutNextDownstream();
    await customerWrites(r.relay.url, 'three');
    await waitFor('reconnected after the cut', () => (p.accepted >= 3 ? true : undefined));
    const head = await waitFor('caught up after the cut', () => caughtUp(r, d));
    expect(d.committed).toEqual(range(1, head));
    expect(d.count('relay.live')).toBeGreaterThanOrEqual(3);
  });

  it('detects a silent (half-open) link within deadAfterMs and recovers once packets flow again', async () => {
    const { relay: r, proxy: p } = await setup({ RELAY_HEARTBEAT_MS: '200', RELAY_DEAD_AFTER_MS: '800' });
    const d = track(testDevice(p.url, r.token, { connectTimeoutMs: 1_500 }));
    d.conn.start();
    await waitFor('live', () => isLive(d));
    expect(d.log.find((l) => l.event === 'relay.live')).toBeDefined();

    p.stall();
    // 800 ms dead-after, plus slack for timers and a loaded machine; the wait itself is the bound.
    await waitFor('the dead link to be noticed', () => (d.conn.snapshot().status !== 'live' ? true : undefined), 800 + 1_200);
    expect(d.states.some((s) => s.detail?.code === 'dead_link')).toBe(true);

    await customerWrites(r.relay.url, 'written while the link was silent');
    p.forward();
    await waitFor('live again', () => isLive(d));
    const head = await waitFor('caught up', () => caughtUp(r, d));
    expect(d.committed).toEqual(range(1, head));
  });

  it('a wrong token → credentials_needed and no further attempts; setToken + retryNow reconnects', async () => {
    const { relay: r, proxy: p } = await setup();
    const d = track(testDevice(p.url, generateAgentToken()));
    d.conn.start();
    await waitFor('credentials_needed', () => (d.conn.snapshot().status === 'credentials_needed' ? true : undefined));
    expect(d.conn.snapshot().detail).toEqual({ code: 'token_refused', params: { closeCode: 4001 } });
    // With 20–200 ms backoff a retrying client would connect several times in this period.
    await quietPeriod(1_000);
    d.conn.retryNow();
    await quietPeriod(200);
    expect(p.accepted).toBe(1);
    expect(d.conn.snapshot().status).toBe('credentials_needed');

    d.conn.setToken(r.token);
    d.conn.retryNow();
    await waitFor('live with the new token', () => isLive(d));
    expect(p.accepted).toBe(2);
  });

  it('a token revoked while connected → credentials_needed at the next request, and no retry loop', async () => {
    const { relay: r, proxy: p } = await setup();
    const bobToken = generateAgentToken();
    await r.relay.store.addAgent('bob', 'Bob Levi', hashAgentToken(bobToken), Date.now());
    const d = track(testDevice(p.url, bobToken));
    d.conn.start();
    await waitFor('live', () => isLive(d));
    expect(d.conn.snapshot().agent).toMatchObject({ id: 'bob', name: 'Bob Levi' });
    await r.relay.store.revokeAgent('bob', Date.now());
    const result = await d.conn.request('templates.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'offline', retryable: true } });
    await waitFor('credentials_needed', () => (d.conn.snapshot().status === 'credentials_needed' ? true : undefined));
    await quietPeriod(1_000);
    expect(p.accepted).toBe(1);
  });

  it('re-delivers events after onEvents rejected once (nothing lost, nothing twice)', async () => {
    const { relay: r } = await setup();
    let failuresLeft = 1;
    const d = track(
      testDevice(r.relay.url, r.token, {
        beforeCommit: () => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('SQLITE_FULL');
          }
        },
      }),
    );
    d.conn.start();
    await waitFor('live', () => isLive(d));
    await customerWrites(r.relay.url, 'hello');
    const head = await waitFor('caught up', () => caughtUp(r, d));
    expect(failuresLeft).toBe(0);
    expect(d.committed).toEqual(range(1, head));
    // The failed batch came again on a new connection.
    expect(d.batches[0]).toEqual(d.batches[1]);
    expect(d.count('relay.live')).toBeGreaterThanOrEqual(2);
    expect(d.states.some((s) => s.detail?.code === 'local_storage_failed')).toBe(true);
  });

  it('request(): a result, a relay error, a deadline passing, and offline', async () => {
    const { relay: r, proxy: p } = await setup();
    const d = track(testDevice(p.url, r.token));
    expect(await d.conn.request('conversations.list', {})).toMatchObject({ ok: false, error: { code: 'offline', retryable: true } });
    d.conn.start();
    await waitFor('live', () => isLive(d));
    await customerWrites(r.relay.url, 'hello');

    const list = await d.conn.request('conversations.list', { limit: 10 });
    expect(list.ok).toBe(true);
    expect(list.ok && (list.value as { conversations: unknown[] }).conversations).toHaveLength(1);
    expect(await d.conn.request('no.such_method', {})).toMatchObject({ ok: false, error: { code: 'unknown_method', retryable: false } });
    expect(await d.conn.request('conversations.linkCase', { conversationId: 'no-such-conversation', caseId: 'CASE-1' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    p.stall();
    expect(await d.conn.request('conversations.list', {}, { deadlineMs: 300 })).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true } });
    p.forward();
    expect((await d.conn.request('templates.list', {})).ok).toBe(true);
    expect(d.conn.snapshot().status).toBe('live');

    await d.conn.stop();
    expect(await d.conn.request('templates.list', {})).toMatchObject({ ok: false, error: { code: 'offline' } });
  });
});
