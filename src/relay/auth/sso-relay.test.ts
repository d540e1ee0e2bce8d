// Issue 16's relay-side acceptance through the relay's own HTTP routes: a real relay signs agents in with the sandbox's
// OpenID provider running as its own process, refuses and records every bad ID token a rogue provider can mint without
// provisioning anyone, provisions a mapped newcomer, and throttles a flood of wrong credentials from one address only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_THROTTLE } from '../domain/auth-throttle';
import { prepareDemo } from '../sandbox/demo';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { PROTOCOL_V2 } from '../test-support/docs-client';
import { browserlessLogin, startOidcProcess, type OidcProcess } from '../test-support/oidc-process';
import { startTestRelay, waitFor, type TestRelay } from '../test-support/relay-harness';
import { startRogueIdp, type RogueIdp, type RogueToken } from '../test-support/rogue-idp';

const REDIRECT = 'http://127.0.0.1:53100/callback';
/** The relay sits behind a proxy on 127.0.0.1, so each test names the agent's address in X-Forwarded-For. */
const BEHIND_PROXY = { RELAY_TRUSTED_PROXIES: '127.0.0.1' };

const relays: TestRelay[] = [];
const sockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});
afterAll(async () => {
  for (const r of relays.splice(0)) await r.stop();
});

async function relay(env: Record<string, string>, overrides: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const started = await startTestRelay({ env: { ...BEHIND_PROXY, ...env }, ...overrides });
  relays.push(started);
  await prepareDemo(started.relay.store as SqlRelayStore, started.dataDir, Date.now());
  return started;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  agent: { id: string; teams: string[] };
}
interface Answer {
  status: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
  headers: Headers;
}

async function post(r: TestRelay, route: string, body: unknown, from: string): Promise<Answer> {
  const res = await fetch(`${r.relay.url}/v1/auth/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : JSON.parse(text), headers: res.headers };
}

/** The hello frame a device gets on the WebSocket with this access token, or how it was turned away. */
function hello(r: TestRelay, accessToken: string, device: string): Promise<{ agent: { id: string } } | { closed: number }> {
  const ws = new WebSocket(`${r.relay.url.replace(/^http/, 'ws')}/v1/agent?device=${device}`, [PROTOCOL_V2], {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  sockets.push(ws);
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; agent: { id: string } };
      if (frame.type === 'hello') resolve(frame);
    });
    ws.once('close', (code) => resolve({ closed: code }));
  });
}

const audit = (r: TestRelay) => r.relay.store.readAudit({ limit: 5000 });
const logged = (r: TestRelay, event: string) => r.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['event'] === event);

describe('single sign-on through the relay against the sandbox provider process', () => {
  let idp: OidcProcess;
  let r: TestRelay;
  beforeAll(async () => {
    idp = await startOidcProcess(mkdtempSync(path.join(tmpdir(), 'branchline-sso-idp-')), { codeSeconds: 60 });
    r = await relay({ RELAY_OIDC_ISSUER: idp.issuer, RELAY_OIDC_CLIENT_ID: idp.clientId });
  }, 60_000);
  afterAll(async () => {
    await idp.stop();
  });

  /** start → the provider's login page → finish, as the console does with the system browser. */
  async function ssoSignIn(user: string, device: string, from: string): Promise<{ finish: Answer; state: string; code: string }> {
    const start = await post(r, 'oidc/start', { redirectUri: REDIRECT, deviceId: device }, from);
    expect(start.status).toBe(200);
    const back = await browserlessLogin(start.json['authorizationUrl'] as string, user, idp.password);
    expect(back.error).toBeNull();
    expect(back.state).toBe(start.json['state']);
    const finish = await post(r, 'oidc/finish', { state: back.state, code: back.code, deviceId: device }, from);
    return { finish, state: back.state!, code: back.code! };
  }

  it('signs a demo agent in: Tokens, a socket whose hello names them, an audited sign-in with the address; a state finishes once', async () => {
    expect(await (await fetch(`${r.relay.url}/v1/auth/config`)).json()).toMatchObject({ methods: ['sso'], sso: { issuer: idp.issuer } });
    const { finish, state, code } = await ssoSignIn('demo-north', 'desk-1', '203.0.113.7');
    expect(finish.status).toBe(200);
    const tokens = finish.json as unknown as Tokens;
    expect(tokens.agent).toMatchObject({ id: 'demo-north', teams: ['north'] });
    expect(await hello(r, tokens.accessToken, 'desk-1')).toMatchObject({ agent: { id: 'demo-north' } });
    const signedIn = (await audit(r)).filter((e) => e.action === 'session.signed_in');
    expect(signedIn).toEqual([expect.objectContaining({ actorId: 'demo-north', source: '203.0.113.7', detail: expect.objectContaining({ method: 'oidc' }) })]);

    const again = await post(r, 'oidc/finish', { state, code, deviceId: 'desk-1' }, '203.0.113.7');
    expect(again).toMatchObject({ status: 401, json: { error: { code: 'unauthorized', message: 'the sign-in state is unknown or was already used' } } });
    expect(r.logLines.join('\n')).not.toContain(tokens.accessToken);
  });

  it('rotates a single sign-on session; the old refresh token used again ends the family (both new tokens) and is recorded with its address', async () => {
    const { finish } = await ssoSignIn('demo-lead', 'desk-2', '203.0.113.8');
    expect(finish.status).toBe(200);
    const first = finish.json as unknown as Tokens;
    const rotated = await post(r, 'refresh', { refreshToken: first.refreshToken, deviceId: 'desk-2' }, '203.0.113.8');
    expect(rotated.status).toBe(200);
    const second = rotated.json as unknown as Tokens;
    expect(await hello(r, second.accessToken, 'desk-2')).toMatchObject({ agent: { id: 'demo-lead' } });

    const reused = await post(r, 'refresh', { refreshToken: first.refreshToken, deviceId: 'desk-2' }, '198.51.100.66');
    expect(reused.status).toBe(401);
    expect(await post(r, 'refresh', { refreshToken: second.refreshToken, deviceId: 'desk-2' }, '203.0.113.8')).toMatchObject({ status: 401 });
    expect(await hello(r, second.accessToken, 'desk-2')).toEqual({ closed: 4001 });
    const entry = (await audit(r)).find((e) => e.action === 'session.refresh_reused');
    expect(entry).toMatchObject({ subjectId: 'demo-lead', source: '198.51.100.66' });
    const line = await waitFor('the reuse logged', () => logged(r, 'agent.auth_refused').find((l) => l['source'] === '198.51.100.66'));
    expect(line).toMatchObject({ door: 'refresh', reason: 'refresh_reused', agentId: 'demo-lead' });
  });
});

describe('ID tokens a rogue provider mints, through the relay with provisioning on', () => {
  let idp: RogueIdp;
  let r: TestRelay;
  beforeAll(async () => {
    idp = await startRogueIdp();
    r = await relay({
      RELAY_OIDC_ISSUER: idp.issuer,
      RELAY_OIDC_CLIENT_ID: idp.clientId,
      RELAY_OIDC_TEAM_CLAIM: 'groups',
      RELAY_OIDC_TEAM_MAP: 'g-north=north:agent',
      RELAY_OIDC_PROVISION: 'true',
    });
  });
  afterAll(async () => {
    await idp.close();
  });

  /** A login whose ID token is `token`; the provider signs it for this login's nonce unless told another. */
  async function finishWith(token: RogueToken, from: string, nonce?: string): Promise<Answer> {
    const start = await post(r, 'oidc/start', { redirectUri: REDIRECT, deviceId: 'desk-9' }, from);
    expect(start.status).toBe(200);
    idp.nextToken(nonce ?? new URL(start.json['authorizationUrl'] as string).searchParams.get('nonce')!, token);
    return post(r, 'oidc/finish', { state: start.json['state'], code: 'code-1', deviceId: 'desk-9' }, from);
  }

  // Each would be provisioned if the relay believed it: a newcomer whose groups map to a team.
  const newcomer = { preferred_username: 'nina', groups: ['g-north'], name: 'Nina Newcomer' };
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, RogueToken, string | undefined, number, string, string, string]>([
    ['another audience', { claims: { ...newcomer, aud: 'someone-else' } }, undefined, 401, 'wrong audience', 'id_token_invalid', '192.0.2.1'],
    ['another issuer', { claims: { ...newcomer, iss: 'https://login.evil.example' } }, undefined, 401, 'wrong issuer', 'id_token_invalid', '192.0.2.2'],
    ['an expired token', { claims: { ...newcomer, iat: now() - 7200, exp: now() - 3600 } }, undefined, 401, 'expired', 'id_token_invalid', '192.0.2.3'],
    ['a bad signature', { claims: newcomer, foreignKey: true }, undefined, 401, 'bad signature', 'id_token_invalid', '192.0.2.4'],
    ['a token minted for another login', { claims: newcomer }, 'nonce-of-another-login', 401, 'nonce mismatch', 'id_token_invalid', '192.0.2.5'],
    [
      'an unknown user',
      { claims: { preferred_username: 'stranger', groups: ['g-elsewhere'] } },
      undefined,
      403,
      'not a Branchline agent',
      'unknown_user',
      '192.0.2.6',
    ],
  ])('refuses %s, records it with the address and reason, and provisions no one', async (_label, token, nonce, status, message, reason, from) => {
    const agentsBefore = (await r.relay.store.listAgents()).length;
    const answer = await finishWith(token, from, nonce);
    expect(answer.status).toBe(status);
    expect(answer.json.error?.message).toContain(message);
    expect(await r.relay.store.listAgents()).toHaveLength(agentsBefore);
    const line = await waitFor('the refusal logged', () => logged(r, 'agent.auth_refused').find((l) => l['source'] === from));
    // IT reads which check failed in the log and the audit, as the console does in the answer (never the token).
    const check = reason === 'id_token_invalid' ? message : undefined;
    expect(line).toEqual(expect.objectContaining({ door: 'oidc', reason, ...(check !== undefined && { check }) }));
    if (check === undefined) expect(line).not.toHaveProperty('check');
    const trail = await audit(r);
    const entry = trail.find((e) => e.action === 'session.token_refused' && e.source === from);
    expect(entry?.detail).toEqual(expect.objectContaining({ door: 'oidc', reason, ...(check !== undefined && { check }) }));
    if (check === undefined) expect(entry?.detail).not.toHaveProperty('check');
    expect(trail.filter((e) => e.action === 'agent.provisioned' || e.action === 'session.signed_in')).toEqual([]);
  });

  it('provisions a newcomer whose groups map to a team at the first sign-in (audited), who then connects', async () => {
    const agentsBefore = (await r.relay.store.listAgents()).length;
    const answer = await finishWith({ claims: newcomer }, '192.0.2.50');
    expect(answer.status).toBe(200);
    const tokens = answer.json as unknown as Tokens;
    expect(tokens.agent).toMatchObject({ id: 'nina', teams: ['north'] });
    expect(await r.relay.store.listAgents()).toHaveLength(agentsBefore + 1);
    const trail = await audit(r);
    expect(trail.find((e) => e.action === 'agent.provisioned')).toMatchObject({ subjectId: 'nina', source: '192.0.2.50' });
    expect(trail.find((e) => e.action === 'session.signed_in')).toMatchObject({ actorId: 'nina', detail: expect.objectContaining({ method: 'oidc' }) });
    expect(await hello(r, tokens.accessToken, 'desk-9')).toMatchObject({ agent: { id: 'nina' } });
  });
});

describe('a provider the relay cannot reach', () => {
  it('answers a finish 503 unavailable and records no refused credential against the agent’s address', async () => {
    const idp = await startRogueIdp();
    const r = await relay({ RELAY_OIDC_ISSUER: idp.issuer, RELAY_OIDC_CLIENT_ID: idp.clientId });
    const start = await post(r, 'oidc/start', { redirectUri: REDIRECT, deviceId: 'desk-1' }, '192.0.2.77');
    expect(start.status).toBe(200);
    await idp.close(); // the provider goes down while the agent is at its login page
    const finish = await post(r, 'oidc/finish', { state: start.json['state'], code: 'code-1', deviceId: 'desk-1' }, '192.0.2.77');
    expect(finish).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    expect(logged(r, 'agent.auth_refused')).toEqual([]);
    expect((await audit(r)).filter((e) => e.action === 'session.token_refused')).toEqual([]);
  });
});

describe('throttling /v1/auth by source address', () => {
  it('slows 1,000 wrong credentials from one address, then answers 429 with Retry-After, logged with the address; another address signs in', async () => {
    const throttle = { ...SOURCE_THROTTLE, freeFailures: 5, lockAfter: 20, baseDelayMs: 1, maxDelayMs: 4, lockoutMs: 60_000 };
    const r = await relay({}, { overrides: { authGuard: { source: throttle } } });
    const attacker = '198.51.100.23';
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    let goodMidway: number | null = null;
    for (let i = 0; i < 1_000; i += 1) {
      const answer =
        i % 2 === 0
          ? await post(r, 'session', { grant: 'agent_token', token: `blt_${String(i).padStart(43, 'x')}`, deviceId: 'desk-a' }, attacker)
          : await post(r, 'refresh', { refreshToken: `blr_${String(i).padStart(43, 'y')}`, deviceId: 'desk-a' }, attacker);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
      if (i === 500) goodMidway = (await post(r, 'session', { grant: 'agent_token', token: r.token, deviceId: 'desk-b' }, '203.0.113.99')).status;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 20, 429: 980 });
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60); // what is left of the 60 s lockout
    expect(goodMidway).toBe(200);

    const throttled = logged(r, 'agent.auth_throttled').filter((l) => l['source'] === attacker);
    expect(throttled.map((l) => l['state'])).toEqual(['delayed', 'locked']);
    const refusedLines = logged(r, 'agent.auth_refused');
    expect(refusedLines.length).toBeGreaterThan(0);
    expect(refusedLines.length).toBeLessThan(10); // a flood is a line or two per address, not a thousand
    expect(refusedLines.every((l) => l['source'] === attacker)).toBe(true);

    // The good agent's next sign-in and refresh from their own address still work at once.
    const good = await post(r, 'session', { grant: 'agent_token', token: r.token, deviceId: 'desk-b' }, '203.0.113.99');
    expect(good.status).toBe(200);
    expect((await post(r, 'refresh', { refreshToken: (good.json as unknown as Tokens).refreshToken, deviceId: 'desk-b' }, '203.0.113.99')).status).toBe(200);
    expect(r.logLines.join('\n')).not.toMatch(/blt_x|blr_y/);
  }, 120_000);
});
