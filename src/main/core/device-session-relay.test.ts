// The console core and the real relay agree on device sessions (docs/protocol.md "Signing in: device sessions"): an
// in-process relay on 127.0.0.1 with its sandbox WhatsApp and short lifetimes, the console with its real auth client,
// real SQLite files for both. Sign-in, silent refreshes, a session the relay ends, the queue kept and sent once by
// its author (never by a colleague), and sign-out revoking the session at the relay.
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { generateAgentToken, hashAgentToken } from '../../relay/agent-tokens';
import type { SqlRelayStore } from '../../relay/store/sql-relay-store';
import { startTestRelay, waitFor, type TestRelay } from '../../relay/test-support/relay-harness';
import { createRelayAuthClient, type AuthClient, type AuthTokens } from './relay-auth-client';
import { plantedIn } from './test-support/planted';
import { startRelayConsole } from './test-support/relay-console';

const DANA = '972500000101';
const YOSSI = '972500000102';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real auth client, with every Tokens answer it got kept for the test to inspect. */
function recordingAuth(issued: AuthTokens[]): AuthClient {
  const real = createRelayAuthClient();
  const kept = async (result: Awaited<ReturnType<AuthClient['refresh']>>) => (result.ok && issued.push(result.value), result);
  return { ...real, signIn: async (...a) => kept(await real.signIn(...a)), refresh: async (...a) => kept(await real.refresh(...a)) };
}

async function setUp(env: Record<string, string> = { RELAY_AUTH_SESSION_MINUTES: '0.15' }) {
  // By default access tokens of 9 s: the console refreshes about every 6 s (two-thirds), so a few refreshes take seconds.
  const r: TestRelay = await startTestRelay({
    sandbox: true,
    env,
    overrides: { sandboxTiming: { replyDelayMs: 60_000 } },
  });
  cleanups.push(() => r.stop());
  const benToken = generateAgentToken();
  await (r.relay.store as SqlRelayStore).setAgentToken('ben', 'Ben Katz', hashAgentToken(benToken), Date.now());
  for (const [from, name] of [
    [DANA, 'Dana Levi'],
    [YOSSI, 'Yossi Cohen'],
  ]) {
    expect((await fetch(`${r.relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from, name, text: 'hello' }) })).status).toBe(200);
  }

  const issued: AuthTokens[] = [];
  const {
    core,
    dataDir,
    tokens: memory,
    saved,
    logs,
    count,
    call,
  } = await startRelayConsole(cleanups, 'session-console', {
    auth: recordingAuth(issued),
    connection: { backoff: { baseMs: 100, capMs: 500, resetAfterMs: 5_000 } },
  });
  const audit = async (action: string) => (await r.relay.store.readAudit({ limit: 1000 })).filter((e) => e.action === action);
  const ledger = async (to = DANA): Promise<string[]> => {
    const answer = (await (await fetch(`${r.relay.url}/sandbox/outbound?to=${to}`)).json()) as { messages: { type: string; text?: string }[] };
    return answer.messages.map((m) => m.text ?? `[${m.type}]`);
  };
  const conversation = (waId: string) =>
    waitFor(
      `the conversation with ${waId}`,
      () => core.store.db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ? AND local_only = 0').get(waId)?.id,
    );
  const refreshWith = (refreshToken: string) =>
    fetch(`${r.relay.url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken, deviceId: core.store.session.get().deviceId }),
    });
  return { r, core, call, count, logs, audit, ledger, conversation, issued, saved, memory, dataDir, benToken, refreshWith };
}

describe('device sessions, console core against the real relay', () => {
  it('signs in, refreshes silently, asks to sign in again when the relay ends the session, and loses nothing queued', async () => {
    const t = await setUp();
    const { r, core, call } = t;

    // a. Sign in with the agent token: recorded by the relay, live, the refresh token stored, the access token only in memory.
    expect(await call('session.signIn', { relayUrl: r.relay.url, token: r.token })).toMatchObject({ signedIn: true, signInAgain: false });
    expect(core.connectionState().status).toBe('live');
    expect(await t.audit('session.signed_in')).toEqual([expect.objectContaining({ actorId: 'ana', detail: expect.objectContaining({ method: 'token' }) })]);
    const first = t.issued[0]!;
    expect(await t.memory.load()).toBe(first.refreshToken);
    expect(t.saved.every((s) => s.startsWith('blr_'))).toBe(true); // the static agent token is never kept
    await call('session.get', {}); // lets the cache commit what sign-in wrote
    expect(plantedIn(t.dataDir, { access: first.accessToken, agentToken: r.token })).toEqual([]);
    const withDana = await t.conversation(DANA);
    const withYossi = await t.conversation(YOSSI);

    // b. Several silent refreshes on one connection: each rotates the pair, the link never drops.
    await waitFor('three refreshes', () => (t.count('session.refreshed') >= 3 ? true : undefined), 45_000);
    expect(t.count('relay.connecting')).toBe(1);
    expect(core.connectionState().status).toBe('live');
    const refreshTokens = t.issued.map((i) => i.refreshToken);
    expect(new Set(refreshTokens).size).toBe(refreshTokens.length);
    expect(await t.memory.load()).toBe(t.issued.at(-1)!.refreshToken);
    // Media goes up with the newest access token, like the socket's requests.
    const pdf = { fileName: 'statement.pdf', mimeType: 'application/pdf', dataBase64: Buffer.from('%PDF-1.4 statement').toString('base64') };
    await call('messages.sendFile', { conversationId: withDana, ...pdf });
    await waitFor('the document at WhatsApp', async () => ((await t.ledger()).length > 0 ? true : undefined));
    // The first refresh token is spent: the relay refuses it (and, as a reuse, ends the session: case c).
    expect((await t.refreshWith(first.refreshToken)).status).toBe(401);
    expect(await t.audit('session.refresh_reused')).toHaveLength(1);

    // c. The relay ended the session: the console asks to sign in again and keeps what the agent writes meanwhile.
    await waitFor('sign in again', async () => ((await call<{ signInAgain: boolean }>('session.get', {})).signInAgain ? true : undefined));
    expect(await t.memory.load()).toBeNull();
    const texts = ['Ana 1: your card is ready', 'Ana 2: at the Herzl St. branch', 'Ana 3: bring your ID'];
    const anas: Message[] = [];
    for (const body of texts) anas.push((await call<{ message: Message }>('messages.sendText', { conversationId: withDana, body })).message);
    expect(core.connectionState().queued).toBe(3);

    // d. Ben signs in on the same console: his own reply (to another customer: a reply assigns the conversation to
    // its sender) goes, Ana's queue does not go as his.
    await call('session.signIn', { relayUrl: r.relay.url, token: t.benToken });
    // His sign-in wipes what Ana saw (her queue stays); his first sync fills the cache again.
    await waitFor('the wipe for Ben', () => t.logs.find((l) => l.event === 'session.wiped' && l.fields['reason'] === 'agent_changed'));
    expect(await t.conversation(YOSSI)).toBe(withYossi);
    const bens = (await call<{ message: Message }>('messages.sendText', { conversationId: withYossi, body: 'Ben: the branch opens at 8:30' })).message;
    await waitFor('Ben’s reply at WhatsApp', async () => ((await t.ledger(YOSSI)).length > 0 ? true : undefined));
    expect(await t.ledger(YOSSI)).toEqual(['Ben: the branch opens at 8:30']);
    expect(await t.ledger(DANA)).toEqual(['[document]']);
    expect(core.store.message(bens.id)).toMatchObject({ senderAgentId: 'ben' });
    for (const m of anas) expect(core.store.message(m.id)).toMatchObject({ status: 'queued', senderAgentId: 'ana' });
    await call('session.signOut', {});

    // Ana signs in again: each queued message reaches WhatsApp once, in order, as hers.
    await call('session.signIn', { relayUrl: r.relay.url, token: r.token });
    await waitFor('Ana’s queue at WhatsApp', async () => ((await t.ledger()).length >= 4 ? true : undefined), 20_000);
    await waitFor('nothing queued', () => (core.connectionState().queued === 0 ? true : undefined));
    expect(await t.ledger(DANA)).toEqual(['[document]', ...texts]);
    expect(await t.ledger(YOSSI)).toEqual(['Ben: the branch opens at 8:30']);
    for (const m of anas) expect(core.store.message(m.id)).toMatchObject({ senderAgentId: 'ana' });
    expect((await t.audit('session.signed_in')).map((e) => e.actorId)).toEqual(['ana', 'ben', 'ana']);
  }, 90_000);

  it('sign-out ends the session at the relay: its refresh token no longer works', async () => {
    const t = await setUp();
    await t.call('session.signIn', { relayUrl: t.r.relay.url, token: t.r.token });
    const refreshToken = (await t.memory.load())!;
    await t.call('session.signOut', {});
    expect(await t.memory.load()).toBeNull();
    expect(await t.audit('session.signed_out')).toHaveLength(1);
    expect((await t.refreshWith(refreshToken)).status).toBe(401);
    expect(await t.audit('session.refresh_reused')).toHaveLength(0); // ended by the sign-out, not spent
  }, 30_000);

  it('past maxSessionHours the relay refuses the refresh: sign in again, nothing queued lost, sent once after', async () => {
    // Sessions of 18 s at most (0.005 h), access tokens of 6 s: refreshed a few times, then ended however often.
    const t = await setUp({ RELAY_AUTH_SESSION_MINUTES: '0.1', RELAY_AUTH_MAX_SESSION_HOURS: '0.005' });
    await t.call('session.signIn', { relayUrl: t.r.relay.url, token: t.r.token });
    const withDana = await t.conversation(DANA);
    const { sessionExpiresAt } = t.issued[0]!;
    await waitFor('sign in again', async () => ((await t.call<{ signInAgain: boolean }>('session.get', {})).signInAgain ? true : undefined), 40_000);
    expect(t.count('session.refreshed')).toBeGreaterThanOrEqual(1);
    // Every pair the relay issued ended with the session, not later.
    expect(t.issued.every((i) => i.sessionExpiresAt === sessionExpiresAt && i.accessExpiresAt <= sessionExpiresAt)).toBe(true);
    expect(await t.memory.load()).toBeNull();
    const body = 'Ana: after my shift ended';
    const queued = (await t.call<{ message: Message }>('messages.sendText', { conversationId: withDana, body })).message;
    expect(t.core.connectionState().queued).toBe(1);
    await t.call('session.signIn', { relayUrl: t.r.relay.url, token: t.r.token });
    await waitFor('the reply at WhatsApp', async () => ((await t.ledger()).length > 0 ? true : undefined), 20_000);
    await waitFor('nothing queued', () => (t.core.connectionState().queued === 0 ? true : undefined));
    expect(await t.ledger()).toEqual([body]);
    expect(t.core.store.message(queued.id)).toMatchObject({ senderAgentId: 'ana' });
  }, 90_000);
});
