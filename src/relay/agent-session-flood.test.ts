// Regression: a device that keeps asking far faster than allowed is closed with 4008, not answered forever.
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../shared/clock';
import { CloseCode } from '../shared/protocol';
import { AgentSession, type SessionDeps } from './agent-session';
import { silentLogger } from './log';
import type { AgentAccess } from './store/relay-store';

function session() {
  const clock = createFakeClock(Date.UTC(2026, 10, 24), 0);
  const closed: number[] = [];
  const agent: AgentAccess = { id: 'ana', name: 'Ana', role: 'agent', teams: [{ id: 'main', name: 'Main' }], accessVersion: 1, revokedAt: null };
  const store: SessionDeps['store'] = {
    head: async () => 0,
    oldest: async () => 1,
    agentAccess: async () => agent,
    accessVersions: async () => new Map([[agent.id, agent.accessVersion]]),
    recordDeviceAck: async () => {},
    deviceAccessVersion: async () => 1,
    recordDeviceAccess: async () => {},
    appendAudit: async () => {},
  };
  const s = new AgentSession({
    agent,
    deviceId: 'dev-1',
    sessionId: 's-1',
    source: '127.0.0.1',
    transportName: 'ws',
    protocol: 2,
    since: 0,
    transport: { send: () => {}, bufferedBytes: () => 0, close: (code) => void closed.push(code) },
    store,
    readEvents: async () => [],
    handleRequest: async () => ({ ok: true, value: {} }),
    clock,
    settings: {
      heartbeatMs: 60_000,
      deadAfterMs: 120_000,
      maxFrameBytes: 262_144,
      eventWindow: 2_000,
      requestsPerSecond: 100,
      requestBurst: 200,
      maxBufferedBytes: 4 * 1024 * 1024,
    },
    log: silentLogger,
    onClosed: () => {},
  });
  return { s, clock, closed };
}

/** Sends `perSecond` requests per second for `seconds`, one per tick of the fake clock. */
function ask(t: ReturnType<typeof session>, perSecond: number, seconds: number): void {
  const gap = 1_000 / perSecond;
  for (let i = 0; i < perSecond * seconds && t.closed.length === 0; i++) {
    t.s.receive(JSON.stringify({ type: 'req', id: `r${i}`, method: 'conversations.list', params: {} }));
    t.clock.advance(gap);
  }
}

// Before the fix one request let through (whenever a token refilled) reset the count of refusals, so only a flood of
// 200 requests within one refill (20 000/s) was ever closed; a steady 1 000/s was answered forever.
describe('request floods', () => {
  it('closes a device that keeps sending 1 000 requests a second', async () => {
    const t = session();
    await t.s.start();
    ask(t, 1_000, 5);
    expect(t.closed).toEqual([CloseCode.rateLimited]);
  });

  it('leaves a device alone that is only a little over the limit now and then', async () => {
    const t = session();
    await t.s.start();
    ask(t, 150, 10);
    expect(t.closed).toEqual([]);
  });
});
