// Limits per agent on a real relay: one agent's 500 devices or flood of requests while another agent's console is served.
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../shared/clock';
import { CloseCode } from '../shared/protocol';
import { TokenBucket } from '../shared/token-bucket';
import { AgentLimits } from './agent-limits';
import { silentLogger } from './log';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import { loadRelayConfig } from './relay-config';
import { RequestBudget } from './request-budget';
import { connectWebSocket, PROTOCOL_V2, type CloseInfo, type ResFrame, type WsConnection } from './test-support/docs-client';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

let relay: TestRelay | undefined;
const open: WsConnection[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.dispose();
  await relay?.stop();
  relay = undefined;
});

/** A relay with agent "ana" (the harness's) and a second agent, "ben", whose console behaves. */
async function twoAgents(env: Record<string, string>): Promise<{ t: TestRelay; benToken: string }> {
  relay = await startTestRelay({ env });
  const benToken = generateAgentToken();
  const added = await relay.relay.store.addAgent('ben', 'Ben Amar', hashAgentToken(benToken), Date.now());
  expect(added.ok).toBe(true);
  return { t: relay, benToken };
}

function connect(t: TestRelay, token: string, device: string): WsConnection {
  const c = connectWebSocket({ baseUrl: t.relay.url, token, device, protocols: [PROTOCOL_V2] });
  open.push(c);
  return c;
}

/** 'hello' when the relay let the device in, else how it closed the connection. */
function outcome(c: WsConnection): Promise<'hello' | CloseInfo> {
  return c.hello().then(
    () => 'hello' as const,
    () => c.closed,
  );
}

describe('devices per agent', () => {
  it('lets one agent hold 10 devices of 500 tried, in words the console can show, while another agent connects and is served', async () => {
    const { t, benToken } = await twoAgents({});
    const results: ('hello' | CloseInfo)[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const conns = Array.from({ length: 50 }, (_, i) => connect(t, t.token, `rogue-${batch * 50 + i}`));
      results.push(...(await Promise.all(conns.map(outcome))));
    }
    expect(results.filter((r) => r === 'hello')).toHaveLength(10);
    const refused = results.filter((r): r is CloseInfo => r !== 'hello');
    expect(refused).toHaveLength(490);
    expect(new Set(refused.map((r) => `${r.code} ${r.reason}`))).toEqual(
      new Set([`${CloseCode.rateLimited} This agent is signed in on 10 devices already: sign out on one of them`]),
    );
    // A line or two in the log, with the count, not one per device.
    const capLines = t.logLines.filter((l) => l.includes('agent.device_cap'));
    expect(capLines.length).toBeLessThan(10);
    expect(capLines[0]).toContain('"agentId":"ana"');

    const ben = connect(t, benToken, 'ben-desk');
    expect((await ben.hello()).agent.id).toBe('ben');
    await ben.call('conversations.list', {});

    // A device already in may come back (a reconnect replaces its own connection), and long polling counts the same.
    const again = connect(t, t.token, 'rogue-0');
    expect(await outcome(again)).toBe('hello');
    const poll = await fetch(`${t.relay.url}/v1/poll?v=2&device=rogue-poll`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` } });
    expect(poll.status).toBe(429);
    expect(Number(poll.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await poll.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('sign out on one of them') } });

    // Signing out on one of them lets a new device in.
    const admitted = open.find((c) => c.helloFrame !== undefined && c.closeInfo === undefined && c !== again && c !== ben)!;
    await admitted.close();
    const fresh = await waitFor('a new device let in once one left', async () => {
      const c = connect(t, t.token, 'new-desk');
      const result = await outcome(c);
      return result === 'hello' ? c : undefined;
    });
    expect(fresh.helloFrame?.deviceId).toBe('new-desk');
  });
});

describe('requests per agent', () => {
  it("refuses one agent's flood across 50 devices with a retry time, and never another agent's requests", async () => {
    // The agent budget refills at 1 a second: within this test the flood gets its burst of 100 and little more.
    const { t, benToken } = await twoAgents({
      RELAY_LIMIT_DEVICES_PER_AGENT: '50',
      RELAY_LIMIT_AGENT_REQUESTS_PER_SECOND: '1',
      RELAY_LIMIT_AGENT_REQUEST_BURST: '100',
    });
    const rogues = Array.from({ length: 50 }, (_, i) => connect(t, t.token, `rogue-${i}`));
    await Promise.all(rogues.map((c) => c.hello()));
    const ben = connect(t, benToken, 'ben-desk');
    await ben.hello();

    const started = Date.now();
    const flood = Promise.all(rogues.flatMap((c) => Array.from({ length: 30 }, () => c.request('conversations.list', {}))));
    const benAnswers: ResFrame[] = [];
    for (let i = 0; i < 20; i++) benAnswers.push(await ben.request('conversations.list', {}));
    const answers = await flood;
    const elapsedSeconds = (Date.now() - started) / 1000;

    expect(benAnswers.every((a) => a.ok)).toBe(true);
    const served = answers.filter((a) => a.ok).length;
    expect(served).toBeGreaterThanOrEqual(100);
    expect(served).toBeLessThanOrEqual(100 + Math.ceil(elapsedSeconds) + 1);
    const refusal = answers.find((a) => !a.ok);
    expect(refusal).toMatchObject({ ok: false, error: { code: 'rate_limited', retryable: true } });
    expect(refusal?.ok === false && refusal.error.message).toMatch(/^too many requests from this agent's devices together; retry in \d+ ms$/);
    // Refused, not disconnected: each device asked 30 times, far from a flood of its own.
    expect(rogues.filter((c) => c.closeInfo !== undefined)).toEqual([]);
  });
});

describe('request budget', () => {
  const settings = { requestsPerSecond: 100, requestBurst: 200 };

  it("shares the agent's budget between devices, and a refusal by it spends nothing of the device's", () => {
    const clock = createFakeClock();
    const agent = new TokenBucket({ capacity: 3, refillPerMs: 1 / 1000, clock });
    const a = new RequestBudget(settings, clock, agent);
    const b = new RequestBudget({ requestsPerSecond: 1, requestBurst: 1 }, clock, agent);
    expect([a.admit().ok, a.admit().ok, a.admit().ok]).toEqual([true, true, true]);
    const refused = b.admit();
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', message: "too many requests from this agent's devices together; retry in 1000 ms" },
    });
    clock.advance(1_000);
    // b's own burst of one was not spent by the refusal.
    expect(b.admit().ok).toBe(true);
    expect(b.admit()).toMatchObject({ ok: false, error: { message: 'too many requests from this device; retry in 1000 ms' } });
  });

  it('closes a device that keeps asking after 200 refusals, whichever budget refused them', () => {
    const clock = createFakeClock();
    const budget = new RequestBudget(settings, clock, new TokenBucket({ capacity: 1, refillPerMs: 1 / 60_000, clock }));
    expect(budget.admit().ok).toBe(true);
    const refusals = Array.from({ length: 200 }, () => budget.admit());
    expect(refusals.map((r) => !r.ok && r.flooding).indexOf(true)).toBe(199);
  });
});

describe('agent budgets', () => {
  it('forgets idle agents’ budgets past 1 000 agents, but never one a connected device still spends from', () => {
    const clock = createFakeClock();
    const connected = new Set(['busy']);
    const limits = new AgentLimits(
      { devicesPerAgent: 10, agentRequestsPerSecond: 1, agentRequestBurst: 5 },
      clock,
      {
        devicesOf: (agentId) => (connected.has(agentId) ? 1 : 0),
      },
      silentLogger,
    );
    const busy = limits.budgetOf('busy');
    const idle = limits.budgetOf('idle');
    for (let i = 0; i < 1_000; i++) limits.budgetOf(`agent-${i}`);
    clock.advance(60_000); // every bucket full again
    limits.budgetOf('newcomer'); // past 1 000: prunes
    expect(limits.budgetOf('busy')).toBe(busy);
    expect(limits.budgetOf('idle')).not.toBe(idle);
  });
});

describe('limits.* per agent', () => {
  const base = { WHATSAPP_APP_SECRET: 'app-secret-0123', WHATSAPP_VERIFY_TOKEN: 'verify', WHATSAPP_ACCESS_TOKEN: 'access', WHATSAPP_PHONE_NUMBER_ID: '1' };

  it('has defaults, takes RELAY_LIMIT_* variables, and stops startup naming a value out of range', () => {
    const config = loadRelayConfig({ flags: { data: '/tmp/unused' }, env: { ...base, RELAY_LIMIT_UPLOAD_EXPIRY_HOURS: '48' } });
    expect(config.limits).toMatchObject({ devicesPerAgent: 10, agentRequestsPerSecond: 200, uploadExpiryHours: 48 });
    expect(() => loadRelayConfig({ flags: { data: '/tmp/unused' }, env: { ...base, RELAY_LIMIT_DEVICES_PER_AGENT: '0' } })).toThrow(
      'RELAY_LIMIT_DEVICES_PER_AGENT must be a whole number from 1 to 1000',
    );
  });
});
