// Device sessions as an agent lives them (a scripted link, a real cache, the real /v1/auth client against a
// contract-faithful fake relay on 127.0.0.1): signed in by token, refreshed silently, asked to sign in again without
// losing the queue, the old way on a relay without sessions, and signed out at the relay too.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionAgent } from '../../shared/contract';
import type { Message } from '../../shared/domain';
import type { Console } from './create-console';
import { tokenKey } from './link-owner';
import { createRelayAuthClient } from './relay-auth-client';
import { memoryTokenStore, type TokenStore } from './session-service';
import { FakeAuthRelay, type FakeAgent } from './test-support/fake-auth-relay';
import { customerConversation } from './test-support/messages';
import { NOW, scriptedConsole } from './test-support/scripted-relay';

const STATIC = 'blt_static_token_ana_0001';
const ANA: FakeAgent = { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: ['main'] };
const consoles: Console[] = [];
let fake: FakeAuthRelay;

beforeEach(async () => {
  fake = await new FakeAuthRelay().start();
  fake.agents.set(STATIC, ANA);
});
afterEach(async () => {
  for (const c of consoles.splice(0)) await c.stop();
  await fake.close();
});

const asSessionAgent = (agent: FakeAgent | null): SessionAgent | null =>
  agent === null ? null : { id: agent.id, name: agent.name, role: 'agent', teams: agent.teams.map((id) => ({ id, name: id })) };

/** A console whose scripted link lets in exactly the access tokens the fake relay would (and static ones on a legacy relay). */
function deviceConsole(options: { tokens?: TokenStore; dataDir?: string } = {}) {
  const tokens = options.tokens ?? memoryTokenStore();
  const logged: string[] = [];
  const log = (event: string, fields?: Record<string, unknown>) => void logged.push(event, JSON.stringify(fields ?? {}));
  const ctx = scriptedConsole((c) => consoles.push(c), options.dataDir, { auth: createRelayAuthClient(), tokens, log });
  ctx.relay.agentOf = (token) => asSessionAgent(fake.legacy ? (fake.agents.get(token) ?? null) : fake.agentOfAccess(token));
  ctx.relay.onAttempt = () => ctx.relay.hello();
  return { ...ctx, tokens, logged };
}

/** Stops a console so the next one can start on its data folder, as the desktop does when it is reopened. */
async function stopped(ctx: ReturnType<typeof deviceConsole>): Promise<string> {
  const dataDir = path.dirname(ctx.core.store.db.name);
  await ctx.core.stop();
  consoles.splice(0);
  return dataDir;
}

/** A console that signed in with the static token and was closed: its data folder and the refresh token it kept. */
async function signedInThenStopped(): Promise<{ dataDir: string; refresh: string }> {
  const first = deviceConsole();
  await first.value('session.signIn', { relayUrl: fake.url, token: STATIC });
  const refresh = (await first.tokens.load())!;
  return { dataDir: await stopped(first), refresh };
}

/** Waits, a bounded number of short turns, for something the console does in the background. */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

const conversation = customerConversation('c1', NOW);

function answerSends(ctx: ReturnType<typeof deviceConsole>): void {
  ctx.relay.answers['messages.send'] = (params) => {
    const { clientMessageId } = params as { clientMessageId: string };
    return { ok: true, value: { message: { ...ctx.store.message(clientMessageId)!, status: 'pending' } } };
  };
}

describe('a device session from the agent token', () => {
  it('exchanges the token, keeps only the refresh token, and refreshes before expiry without dropping the link', async () => {
    const ctx = deviceConsole();
    const session = await ctx.value<{ signedIn: boolean; signInAgain: boolean }>('session.signIn', { relayUrl: fake.url, token: STATIC });
    expect(session).toMatchObject({ signedIn: true, signInAgain: false });
    const firstAccess = ctx.relay.token!;
    expect(firstAccess).toMatch(/^bla_/);
    const firstRefresh = await ctx.tokens.load();
    expect(firstRefresh).toMatch(/^blr_/);

    ctx.clock.advance((fake.accessMs * 2) / 3 + 1_000);
    await until('the silent refresh', async () => (await ctx.tokens.load()) !== firstRefresh);
    expect(fake.requests.filter((r) => r === 'POST /v1/auth/refresh')).toHaveLength(1);
    // The link stayed up on its socket; the next attempt (and media) carry the new access token.
    expect(ctx.core.connectionState().status).toBe('live');
    expect(ctx.relay.cursors).toHaveLength(1);
    expect(ctx.relay.token).not.toBe(firstAccess);
    expect(fake.agentOfAccess(ctx.relay.token!)?.id).toBe('ana');
    const lines = ctx.logged.join('\n');
    for (const secret of [STATIC, firstAccess, firstRefresh!, ctx.relay.token!, (await ctx.tokens.load())!]) expect(lines).not.toContain(secret);
    expect(ctx.logged).toContain('session.refreshed');
  });

  it('after a 4001 refreshes once and reconnects as the same agent', async () => {
    const ctx = deviceConsole();
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    fake.expireAccessTokens();
    ctx.relay.refuse();
    await until('live again', () => ctx.core.connectionState().status === 'live');
    expect(fake.requests.filter((r) => r === 'POST /v1/auth/refresh')).toHaveLength(1);
    expect(ctx.relay.snapshot.agent?.id).toBe('ana');
  });

  it('asks to sign in again when the refresh is refused, keeps the queue, and sends it once after the agent is back', async () => {
    const ctx = deviceConsole();
    answerSends(ctx);
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    await ctx.relay.deliver([{ kind: 'conversation.upserted', conversation }]);
    ctx.relay.down();
    const { message } = await ctx.value<{ message: Message }>('messages.sendText', { conversationId: 'c1', body: 'Your card is on its way' });

    // Someone replays the stored refresh token first: the relay revokes the session (reuse), so the console's is refused.
    const stolen = (await ctx.tokens.load())!;
    expect((await createRelayAuthClient().refresh(fake.url, stolen, ctx.store.session.get().deviceId)).ok).toBe(true);
    ctx.relay.refuse();
    await until('sign in again', async () => ctx.core.connectionState().detail?.code === 'session_ended');
    // Not "signed out": the status bar says the session ended, and still counts what waits.
    expect(ctx.core.connectionState().status).toBe('credentials_needed');
    expect(ctx.core.connectionState().detail).toMatchObject({ code: 'session_ended' });
    expect(fake.audit).toContain('session.refresh_reused');
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: false, signInAgain: true, agent: { id: 'ana' } });
    expect(ctx.of('session.changed').at(-1)).toMatchObject({ signInAgain: true });
    expect(await ctx.tokens.load()).toBeNull();
    expect(ctx.core.connectionState().queued).toBe(1);
    expect(ctx.store.message(message.id)).toMatchObject({ status: 'queued' });
    expect(ctx.relay.sent('messages.send')).toEqual([]);

    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    await until('the queued reply went', () => ctx.relay.sent('messages.send').length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ctx.relay.sent('messages.send').map((p) => (p as { clientMessageId: string }).clientMessageId)).toEqual([message.id]);
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: true, signInAgain: false });
  });

  it('keeps the access token out of the cache files and the token store', async () => {
    const stored: string[] = [];
    const memory = memoryTokenStore();
    const tokens: TokenStore = { ...memory, save: async (t) => (stored.push(t), memory.save(t)) };
    const ctx = deviceConsole({ tokens });
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    const accesses = [ctx.relay.token!];
    ctx.clock.advance(fake.accessMs);
    await until('refreshed', () => stored.length === 2);
    accesses.push(ctx.relay.token!);
    expect(stored.every((t) => t.startsWith('blr_'))).toBe(true);
    ctx.core.store.db.pragma('wal_checkpoint(PASSIVE)');
    const dir = path.dirname(ctx.core.store.db.name);
    const bytes = readdirSync(dir)
      .filter((f) => f.startsWith('console.db'))
      .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
      .join('');
    expect(bytes).toContain('CREATE TABLE'); // a cache in the clear here, so a token in it would show
    for (const secret of [...accesses, ...stored, STATIC]) expect(bytes).not.toContain(secret);
  });

  it('signing out revokes the session at the relay, then wipes as before', async () => {
    const ctx = deviceConsole();
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    expect(fake.liveSessions()).toBe(1);
    await ctx.value('session.signOut', {});
    expect(fake.requests).toContain('POST /v1/auth/logout');
    expect(fake.liveSessions()).toBe(0);
    expect(await ctx.tokens.load()).toBeNull();
  });

  it('signing out offline still signs out here', async () => {
    const ctx = deviceConsole();
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    await fake.close();
    expect(await ctx.value('session.signOut', {})).toMatchObject({ signedIn: false, signInAgain: false });
    expect(await ctx.tokens.load()).toBeNull();
    fake = await new FakeAuthRelay().start(); // for afterEach
  });

  it('resumes at start with the stored refresh token', async () => {
    const { dataDir, refresh } = await signedInThenStopped();
    const second = deviceConsole({ dataDir, tokens: memoryTokenStore(refresh) });
    await second.core.start();
    await until('live after start', () => second.core.connectionState().status === 'live');
    expect(await second.tokens.load()).not.toBe(refresh);
    expect(second.relay.snapshot.agent?.id).toBe('ana');
  });
});

describe('a relay from before device sessions', () => {
  it('is signed into with the static token directly, which is not stored', async () => {
    fake.legacy = true;
    const ctx = deviceConsole();
    expect(await ctx.value('session.authMethods', { relayUrl: fake.url })).toEqual({ sso: false, token: true, ssoIssuer: null });
    expect(await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC })).toMatchObject({ signedIn: true });
    expect(ctx.relay.token).toBe(STATIC);
    expect(await ctx.tokens.load()).toBeNull();
  });

  it('what an agent queued under their static token before the upgrade is sent once they have a session', async () => {
    fake.legacy = true;
    const before = deviceConsole({ tokens: memoryTokenStore(STATIC) });
    before.relay.onAttempt = null; // the relay does not answer this run: nothing confirms who the token is
    before.store.session.setRelayUrl(fake.url);
    await before.core.start();
    await before.relay.deliver([{ kind: 'conversation.upserted', conversation }]);
    const { message } = await before.value<{ message: Message }>('messages.sendText', { conversationId: 'c1', body: 'Queued before the upgrade' });
    expect(before.store.outbox.queuedCount({ id: null, key: tokenKey(STATIC) })).toBe(1);
    const dataDir = await stopped(before);

    fake.legacy = false;
    const after = deviceConsole({ dataDir, tokens: memoryTokenStore(STATIC) });
    answerSends(after);
    await after.core.start();
    await until('the old row went', () => after.relay.sent('messages.send').length > 0);
    expect(after.relay.sent('messages.send').map((p) => (p as { clientMessageId: string }).clientMessageId)).toEqual([message.id]);
    expect(await after.tokens.load()).toMatch(/^blr_/);
  });
});

describe('starting with a saved session or a token (the desktop, the headless agent)', () => {
  it('a relay out of reach at start is asked again, and the link opens once it answers', async () => {
    const { dataDir, refresh } = await signedInThenStopped();
    const port = Number(new URL(fake.url).port);
    await fake.close();

    const second = deviceConsole({ dataDir, tokens: memoryTokenStore(refresh) });
    await second.core.start();
    expect(await second.value('session.get', {})).toMatchObject({ signedIn: true, signInAgain: false });
    expect(await second.tokens.load()).toBe(refresh); // not spent: the relay never saw it
    await until('the refresh was put off', () => second.logged.includes('session.refresh_deferred'));
    expect(second.core.connectionState().status).toBe('connecting'); // not "signed out"

    await fake.start(port); // the same relay, back with its sessions
    second.core.networkChanged(true); // the OS says the network is back: no waiting out the backoff
    second.clock.advance(0);
    await until('live once the relay answers', () => second.core.connectionState().status === 'live');
    expect(second.relay.snapshot.agent?.id).toBe('ana');
    expect(await second.tokens.load()).not.toBe(refresh);
  });

  it('the headless agent’s token is exchanged at start; a token the relay refuses ends as credentials needed', async () => {
    const good = deviceConsole({ tokens: memoryTokenStore(STATIC) });
    good.store.session.setRelayUrl(fake.url);
    await good.core.start();
    await until('live', () => good.core.connectionState().status === 'live');
    expect(good.relay.token).toMatch(/^bla_/);

    const bad = deviceConsole({ tokens: memoryTokenStore('blt_unknown_token_0001') });
    bad.store.session.setRelayUrl(fake.url);
    await bad.core.start();
    await until('refused', () => bad.core.connectionState().status === 'credentials_needed');
  });
});

describe('a refusal while the relay is out of reach', () => {
  it('refreshes once the relay answers, and the refused link reconnects', async () => {
    const ctx = deviceConsole();
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    const port = Number(new URL(fake.url).port);
    await fake.close();
    ctx.relay.refuse(); // the access token expired while the relay was away
    await until('the refresh was put off', () => ctx.logged.includes('session.refresh_deferred'));
    expect(ctx.core.connectionState().status).toBe('credentials_needed');
    await fake.start(port);
    fake.expireAccessTokens();
    ctx.clock.advance(60_000);
    await until('live again', () => ctx.core.connectionState().status === 'live');
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: true, signInAgain: false });
  });
});

describe('a refresh that keeps failing on the network', () => {
  it('is retried with the same refresh token, at most 30 s apart (within the relay’s retry grace), and never ends the session', async () => {
    const ctx = deviceConsole();
    await ctx.value('session.signIn', { relayUrl: fake.url, token: STATIC });
    const refreshToken = await ctx.tokens.load();
    const port = Number(new URL(fake.url).port);
    await fake.close();
    const delays = () => ctx.logged.flatMap((e, i) => (e === 'session.refresh_deferred' ? [Number(JSON.parse(ctx.logged[i + 1]!).delayMs)] : []));
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      ctx.clock.advance(60 * 60_000); // past whatever was scheduled: the next attempt runs and fails
      await until(`failed attempt ${attempt}`, () => delays().length >= attempt);
    }
    expect(delays().slice(0, 5)).toEqual([2_000, 4_000, 8_000, 16_000, 30_000]);
    expect(Math.max(...delays())).toBe(30_000);
    expect(await ctx.tokens.load()).toBe(refreshToken);
    expect(await ctx.value('session.get', {})).toMatchObject({ signedIn: true, signInAgain: false });
    await fake.start(port);
  });
});
