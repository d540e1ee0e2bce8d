// The plain-transport rule and the relay lock as an agent meets them: sign-in, a saved session, machine policy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState, Session } from '../../shared/contract';
import { startTestRelay, type TestRelay } from '../../relay/test-support/relay-harness';
import { createConsole, type Console } from './create-console';
import { parsePolicy } from './policy';
import type { ConnectionFactory, ConnectionHandle, SessionLinkOptions } from './service-types';
import { memoryTokenStore } from './session-service';

const TOKEN = 'blt_token_ana_0001';
const cores: Console[] = [];
let relay: TestRelay | undefined;
afterEach(async () => {
  for (const core of cores.splice(0)) await core.stop();
  await relay?.stop();
  relay = undefined;
});

/** A connection factory that records every attempt and answers like a relay that accepted the token at once. */
function recordingConnect(): { factory: ConnectionFactory; attempts: string[] } {
  const attempts: string[] = [];
  const factory: ConnectionFactory = (options: SessionLinkOptions) => {
    attempts.push(options.relayUrl);
    const live = {
      status: 'live' as const,
      transport: 'ws' as const,
      nextAttemptAtMono: null,
      detail: null,
      tlsProblem: false,
      agent: { id: 'ana', name: 'Ana' },
    };
    const handle: ConnectionHandle = {
      start: () => options.onStateChange(live),
      stop: async () => {},
      retryNow: () => {},
      snapshot: () => live,
      request: async () => ({ ok: false, error: { code: 'offline', message: 'scripted', retryable: true } }),
    };
    return handle;
  };
  return { factory, attempts };
}

function consoleWith(policy: Record<string, unknown>, extra: Partial<Parameters<typeof createConsole>[0]> = {}) {
  const { factory, attempts } = recordingConnect();
  const core = createConsole({
    dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-transport-')),
    connect: factory,
    policy: parsePolicy(policy, 'policy.json'),
    signInTimeoutMs: 2_000,
    ...extra,
  });
  cores.push(core);
  return { core, attempts };
}

const signIn = (core: Console, relayUrl: string) => core.service.call('session.signIn', { relayUrl, token: TOKEN });

describe('plain ws:// and http:// relays', () => {
  it.each(['ws://relay.bank.example', 'http://10.1.2.3:8787'])('refuses sign-in to %s in words naming the host, before any connection', async (url) => {
    const { core, attempts } = consoleWith({});
    const result = await signIn(core, url);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const words = result.ok ? '' : result.error.message;
    expect(words).toContain(`${new URL(url).host} is not an encrypted address`);
    expect(words).toContain('wss://');
    expect(words).toContain('For IT: insecure_relay');
    expect(attempts).toEqual([]);
    expect(core.store.session.get().relayUrl).toBeNull();
  });

  it('connects to a plain relay on the bank network when machine policy allows it', async () => {
    const { core, attempts } = consoleWith({ relay: { allowInsecure: true } });
    const result = await signIn(core, 'ws://10.1.2.3:8787');
    expect(result).toMatchObject({ ok: true, value: { signedIn: true } });
    expect(attempts).toEqual(['ws://10.1.2.3:8787']);
  });

  it('does not open a saved session to a plain relay elsewhere (a policy changed, an old cache): the status bar says why', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-transport-'));
    const seed = consoleWith({}, { dataDir });
    seed.core.store.session.setRelayUrl('ws://relay.bank.example');
    await seed.core.stop();
    cores.splice(cores.indexOf(seed.core), 1);

    const { factory, attempts } = recordingConnect();
    const core = createConsole({ dataDir, connect: factory, tokens: memoryTokenStore(TOKEN), policy: parsePolicy({}, null) });
    cores.push(core);
    const states: ConnectionState[] = [];
    core.on((event, payload) => void (event === 'connection.changed' && states.push(payload as ConnectionState)));
    await core.start();
    expect(attempts).toEqual([]);
    expect(core.connectionState()).toMatchObject({ status: 'offline', detail: { code: 'insecure_relay', params: { host: 'relay.bank.example' } } });
    expect(states.at(-1)?.detail?.code).toBe('insecure_relay');
  });

  it('signs in to a real relay on loopback over plain ws:// (127.0.0.1 and localhost)', async () => {
    relay = await startTestRelay({ sandbox: true });
    for (const host of ['127.0.0.1', 'localhost']) {
      const core = createConsole({ dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-transport-')), signInTimeoutMs: 10_000 });
      cores.push(core);
      const result = await core.service.call('session.signIn', { relayUrl: `ws://${host}:${relay.relay.port}`, token: relay.token });
      expect(result).toMatchObject({ ok: true, value: { signedIn: true } });
    }
  });
});

describe('a relay set by machine policy', () => {
  it('is locked by default: another address is refused, and the sign-in screen is told', async () => {
    const { core, attempts } = consoleWith({ relay: { url: 'wss://relay.bank.example' } });
    const session = await core.service.call('session.get', {});
    expect(session).toMatchObject({ ok: true, value: { relayUrl: 'wss://relay.bank.example', relayUrlLocked: true } satisfies Partial<Session> });
    expect(await signIn(core, 'wss://relay.phish.example')).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('IT') } });
    expect(attempts).toEqual([]);
  });

  it('lets agents type another address only when IT says so explicitly', async () => {
    const { core, attempts } = consoleWith({ relay: { url: 'wss://relay.bank.example', allowUserOverride: true } });
    expect(await signIn(core, 'wss://relay2.bank.example')).toMatchObject({ ok: true });
    expect(attempts).toEqual(['wss://relay2.bank.example']);
  });

  it('is still refused when it is plain ws:// to another computer without relay.allowInsecure', async () => {
    const { core, attempts } = consoleWith({ relay: { url: 'ws://relay.bank.example' } });
    expect(await signIn(core, 'ws://relay.bank.example')).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('not an encrypted') },
    });
    expect(attempts).toEqual([]);
  });
});
