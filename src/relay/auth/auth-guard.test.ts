// The guard over a real SQLite audit and the real redacting logger, on a fake clock: who is delayed, who is refused
// with Retry-After, and that a thousand refusals are a handful of log lines and audit entries naming the address.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFakeClock, type FakeClock } from '../../shared/clock';
import type { ThrottleSettings } from '../domain/auth-throttle';
import { createLogger, phonePseudonymizer } from '../log';
import { openSqliteRelayStore } from '../store/relay-db';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { createAuthGuard, type RelayAuthGuard } from './auth-guard';

const SMALL: ThrottleSettings = {
  freeFailures: 3,
  lockAfter: 8,
  baseDelayMs: 100,
  maxDelayMs: 800,
  lockoutMs: 60_000,
  maxLockoutMs: 240_000,
  forgiveEveryMs: 60_000,
  pendingTtlMs: 30_000,
  maxKeys: 1_000,
};

const Line = z.looseObject({ event: z.string(), source: z.string().optional(), agentId: z.string().optional() });

let store: SqlRelayStore;
let clock: FakeClock;
let lines: string[];
let slept: number[];
let guard: RelayAuthGuard;

beforeEach(() => {
  store = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-guard-')), { phoneNumberId: '106540352242922' }).store;
  clock = createFakeClock();
  lines = [];
  slept = [];
  const log = createLogger({ level: 'debug', write: (l) => lines.push(l), pseudonym: phonePseudonymizer('salt') });
  guard = createAuthGuard({
    store,
    clock,
    log,
    settings: { source: SMALL, agent: { ...SMALL, freeFailures: 2, lockAfter: 4 }, recordEveryMs: 10_000 },
    // Waiting is recorded and the clock moved, instead of sleeping for real.
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
  });
});

afterEach(async () => {
  await store.close();
});

/** The summary is written from a timer, its audit entry after: a few turns of the event loop, bounded. */
async function waitForLines(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

const events = () => lines.map((l) => Line.parse(JSON.parse(l)));

/** One wrong credential from `source`, the way a door presents it. */
async function wrong(source: string, agentId: string | null = null) {
  const admission = await guard.admit(source, 'poll');
  if (admission.ok) await guard.refused(source, 'poll', 'unknown_or_revoked', agentId);
  return admission;
}

describe('createAuthGuard', () => {
  it('slows a source past its free failures, then answers it Retry-After; another address is untouched', async () => {
    const answers = [];
    for (let i = 0; i < 1_000; i++) answers.push(await wrong('203.0.113.9'));
    expect(answers.slice(0, SMALL.lockAfter).every((a) => a.ok)).toBe(true);
    expect(answers.slice(SMALL.lockAfter)).toEqual(Array.from({ length: 1_000 - SMALL.lockAfter }, () => ({ ok: false, retryAfterSeconds: 60 })));
    expect(slept).toEqual([100, 200, 400, 800, 800]);
    expect(await guard.admit('198.51.100.1', 'poll')).toEqual({ ok: true });
  });

  it('writes a thousand refusals as a few lines naming the address, door and reason: the first, then a summary with counts', async () => {
    for (let i = 0; i < 1_000; i++) await wrong('203.0.113.9');
    const refusalLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['event'] === 'agent.auth_refused');
    expect(refusalLines()).toHaveLength(1);
    // The interval ends: what it held back is one line (7 more refusals, then 992 answers of 429), and one audit entry.
    clock.advance(10_000);
    await waitForLines(() => refusalLines().length === 2);
    clock.advance(60_000);
    await wrong('203.0.113.9');
    const refusals = refusalLines();
    expect(refusals).toHaveLength(3);
    expect(refusals[0]).toMatchObject({ source: '203.0.113.9', door: 'poll', reason: 'unknown_or_revoked' });
    expect(refusals[1]).toMatchObject({ source: '203.0.113.9', door: 'poll', reason: 'rate_limited', refusedSinceLastLine: 7, rateLimitedSinceLastLine: 992 });
    expect(refusals[2]).toMatchObject({ source: '203.0.113.9', reason: 'unknown_or_revoked', refusedSinceLastLine: 0, rateLimitedSinceLastLine: 0 });
    const audit = (await store.readAudit({ limit: 100 })).filter((a) => a.action === 'session.token_refused');
    expect(audit.map((a) => [a.source, a.detail])).toEqual([
      ['203.0.113.9', { door: 'poll', reason: 'unknown_or_revoked', refusedSinceLastEntry: 0, rateLimitedSinceLastEntry: 0 }],
      ['203.0.113.9', { door: 'poll', reason: 'rate_limited', refusedSinceLastEntry: 7, rateLimitedSinceLastEntry: 992 }],
      ['203.0.113.9', { door: 'poll', reason: 'unknown_or_revoked', refusedSinceLastEntry: 0, rateLimitedSinceLastEntry: 0 }],
    ]);
  });

  it('writes no summary for an interval that held nothing back, and none after close', async () => {
    await wrong('203.0.113.9');
    clock.advance(60_000);
    await wrong('198.51.100.4');
    await wrong('198.51.100.4');
    guard.close();
    clock.advance(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      events()
        .filter((e) => e.event === 'agent.auth_refused')
        .map((e) => e.source),
    ).toEqual(['203.0.113.9', '198.51.100.4']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('logs when a source starts being delayed and when it is locked out, once each', async () => {
    for (let i = 0; i < 50; i++) await wrong('203.0.113.9');
    const throttled = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['event'] === 'agent.auth_throttled');
    expect(throttled).toEqual([
      expect.objectContaining({ source: '203.0.113.9', state: 'delayed', failures: 3 }),
      expect.objectContaining({ source: '203.0.113.9', state: 'locked', failures: 8, retryAfterSeconds: 60 }),
    ]);
  });

  it('delays attempts sent at once, not only attempts in a row', async () => {
    const burst = await Promise.all(Array.from({ length: 6 }, () => guard.admit('203.0.113.9', 'ws')));
    expect(burst.every((a) => a.ok)).toBe(true);
    expect(slept).toEqual([100, 200, 400]);
  });

  it('locks an agent from every address once failures name them, and a success clears only the agent', async () => {
    for (const [i, source] of ['10.1.0.1', '10.2.0.1', '10.3.0.1', '10.4.0.1'].entries()) {
      expect(await guard.admitAgent('ana', source, 'session')).toEqual({ ok: true });
      await guard.refused(source, 'session', i % 2 === 0 ? 'session_expired' : 'refresh_reused', 'ana');
    }
    expect(await guard.admit('10.9.0.1', 'ws')).toEqual({ ok: true });
    expect(await guard.admitAgent('ana', '10.9.0.1', 'ws')).toEqual({ ok: false, retryAfterSeconds: 60 });
    // Ana's locked device retrying from her branch does not slow her colleagues there.
    for (let i = 0; i < 10; i++) {
      expect(await guard.admit('10.9.0.1', 'ws')).toEqual({ ok: true });
      expect((await guard.admitAgent('ana', '10.9.0.1', 'ws')).ok).toBe(false);
    }
    expect(await guard.admitAgent('bob', '10.9.0.1', 'ws')).toEqual({ ok: true });
    expect(events().some((e) => e.event === 'agent.auth_throttled' && e.agentId === 'ana')).toBe(true);

    clock.advance(60_000);
    guard.accepted('10.9.0.1', 'ana');
    expect(await guard.admitAgent('ana', '10.9.0.1', 'ws')).toEqual({ ok: true });
    expect(slept).toEqual([100, 200]);
  });

  it('keeps counting a source that interleaves a good credential of its own', async () => {
    for (let i = 0; i < 20; i++) {
      const admission = await guard.admit('203.0.113.9', 'media');
      if (!admission.ok) break;
      if (i % 2 === 0) guard.accepted('203.0.113.9', 'mallory');
      else await guard.refused('203.0.113.9', 'media', 'unknown_or_revoked');
    }
    expect(await guard.admit('203.0.113.9', 'media')).toEqual({ ok: false, retryAfterSeconds: 60 });
  });
});
