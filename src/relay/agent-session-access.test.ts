// A session never hands over an event once its agent's access changed: the batch is checked after it was read, so an
// event committed after a revocation (or a change of teams) is not sent, whatever the watcher's timing.
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../shared/clock';
import { CloseCode } from '../shared/protocol';
import { AgentSession, type SessionDeps } from './agent-session';
import { SessionHub } from './session-hub';
import type { StreamEntry } from './domain/visible-stream';
import { silentLogger } from './log';
import type { AgentAccess } from './store/relay-store';

const ana: AgentAccess = { id: 'ana', name: 'Ana', role: 'agent', teams: [{ id: 'main', name: 'Main' }], accessVersion: 1, revokedAt: null };

function session(now: { access: AgentAccess }, entries: StreamEntry[], clock = createFakeClock()) {
  const sent: string[] = [];
  const reads = { count: 0 };
  const closed: number[] = [];
  const store: SessionDeps['store'] = {
    head: async () => 0,
    oldest: async () => 1,
    agentAccess: async () => now.access,
    accessVersions: async () => new Map([[ana.id, now.access.accessVersion]]),
    recordDeviceAck: async () => {},
    deviceAccessVersion: async () => 1,
    recordDeviceAccess: async () => {},
    appendAudit: async () => {},
  };
  let served = false;
  const s = new AgentSession({
    agent: ana,
    deviceId: 'dev-1',
    sessionId: 's-1',
    source: '127.0.0.1',
    transportName: 'ws',
    protocol: 2,
    since: 0,
    transport: { send: (text) => void sent.push(text), bufferedBytes: () => 0, close: (code) => void closed.push(code) },
    store,
    // The entries once, as if they had just been committed.
    readEvents: async () => (reads.count++, served ? [] : ((served = true), entries)),
    handleRequest: async () => ({ ok: true, value: {} }),
    clock,
    settings: {
      heartbeatMs: 60_000,
      deadAfterMs: 120_000,
      maxFrameBytes: 262_144,
      eventWindow: 100,
      requestsPerSecond: 100,
      requestBurst: 200,
      maxBufferedBytes: 1_000_000,
    },
    log: silentLogger,
    onClosed: () => {},
  });
  return { s, sent, closed, reads };
}

const message: StreamEntry = { seq: 1, json: '{"kind":"message.created","message":{}}', filler: false };
const skip: StreamEntry = { seq: 1, json: '{"kind":"events.skipped","fromSeq":1}', filler: true };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
const eventFrames = (sent: string[]) => sent.filter((t) => t.startsWith('{"type":"events"'));

describe('events after an access change', () => {
  it.each<[string, Partial<AgentAccess>, StreamEntry[], number, number[]]>([
    ['unchanged access: the event goes out', {}, [message], 1, []],
    ['revoked: the event stays, the session ends with 4001', { accessVersion: 2, revokedAt: 1 }, [message], 0, [CloseCode.unauthorized]],
    ['teams changed: the event stays, the session ends with 4011', { accessVersion: 2, teams: [] }, [message], 0, [CloseCode.accessChanged]],
    ['a skip says nothing, so it needs no check', { accessVersion: 2, revokedAt: 1 }, [skip], 1, []],
  ])('%s', async (_what, change, entries, frames, closes) => {
    const now = { access: ana };
    const t = session(now, entries);
    now.access = { ...ana, ...change }; // changed after the session started, before the event is handed over
    await t.s.start();
    await settle();
    expect(eventFrames(t.sent)).toHaveLength(frames);
    expect(t.closed).toEqual(closes);
  });
});

describe('commits made by another relay process', () => {
  it('wake the sessions here at the watcher’s first tick and whenever the head moves, not otherwise', async () => {
    const clock = createFakeClock();
    const t = session({ access: ana }, [], clock);
    await t.s.start();
    await settle();
    const hub = new SessionHub();
    hub.add(t.s);
    let head = 0;
    const stop = hub.watchAccess(
      { head: async () => head, accessVersions: async () => new Map([[ana.id, ana.accessVersion]]), agentAccess: async () => ana },
      { clock, log: silentLogger, intervalMs: 1_000 },
    );
    const tick = async () => {
      clock.advance(1_000);
      await settle();
    };
    // Committed elsewhere after this session's hello, before the watcher had looked at the head even once.
    head = 2;
    let reads = t.reads.count;
    await tick();
    expect(t.reads.count).toBeGreaterThan(reads);
    reads = t.reads.count;
    await tick();
    expect(t.reads.count).toBe(reads);
    head = 3;
    await tick();
    expect(t.reads.count).toBeGreaterThan(reads);
    stop();
    t.s.close(CloseCode.normal, 'done');
  });
});
