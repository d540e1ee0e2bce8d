// A refresh whose answer is lost on the way back, for real (in-process relay on 127.0.0.1, a TCP proxy that lets the
// refresh reach the relay and then cuts the connection before the answer): the console retries with the same refresh
// token, the relay takes it as a retry within its grace, and the agent stays signed in with no reuse recorded.
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { startTestRelay, waitFor } from '../../relay/test-support/relay-harness';
import { startRelayConsole } from './test-support/relay-console';
import { startTcpProxy } from './test-support/tcp-proxy';

const DANA = '972500000101';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a refresh whose answer was lost', () => {
  it('is retried with the same refresh token: still signed in, still sending, no reuse in the audit, no token in the log', async () => {
    // Access tokens of 9 s: the console refreshes about every 6 s.
    const r = await startTestRelay({ sandbox: true, env: { RELAY_AUTH_SESSION_MINUTES: '0.15' }, overrides: { sandboxTiming: { replyDelayMs: 60_000 } } });
    cleanups.push(() => r.stop());
    const proxy = await startTcpProxy({ targetPort: r.relay.port });
    cleanups.push(() => proxy.close());
    expect(
      (await fetch(`${r.relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: DANA, name: 'Dana Levi', text: 'hi' }) })).status,
    ).toBe(200);
    const { core, tokens, saved, count } = await startRelayConsole(cleanups, 'lost-refresh');
    expect(await core.service.call('session.signIn', { relayUrl: proxy.url, token: r.token })).toMatchObject({ ok: true, value: { signedIn: true } });
    const spentInVain = saved[0]!;

    proxy.loseNextAnswerTo('POST /v1/auth/refresh');
    await waitFor('the refresh put off after its answer was lost', () => (count('session.refresh_deferred') >= 1 ? true : undefined), 20_000);
    expect(await tokens.load()).toBe(spentInVain); // the console still holds the token it spent: it never heard back
    await waitFor('two refreshes since', () => (count('session.refreshed') >= 2 ? true : undefined), 30_000);

    const session = await core.service.call('session.get', {});
    expect(session).toMatchObject({ ok: true, value: { signedIn: true, signInAgain: false } });
    expect(count('session.sign_in_again')).toBe(0);
    const audit = await r.relay.store.readAudit({ limit: 1000 });
    expect(audit.filter((e) => e.action === 'session.refresh_reused')).toHaveLength(0);
    const log = r.logLines.join('\n');
    expect(log.match(/session\.refresh_retried/g)).toHaveLength(1);
    for (const token of [r.token, ...saved]) expect(log).not.toContain(token.slice(4));

    // And the agent's work goes on: a reply reaches WhatsApp once.
    const conversationId = await waitFor(
      'the conversation',
      () => core.store.db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ? AND local_only = 0').get(DANA)?.id,
    );
    const sent = await core.service.call('messages.sendText', { conversationId, body: 'Your card is ready' });
    expect(sent.ok && (sent.value as { message: Message }).message.senderAgentId).toBe('ana');
    await waitFor('the reply at WhatsApp', async () => {
      const answer = (await (await fetch(`${r.relay.url}/sandbox/outbound?to=${DANA}`)).json()) as { messages: { text?: string }[] };
      return answer.messages.length > 0 ? answer.messages.map((m) => m.text) : undefined;
    }).then((texts) => expect(texts).toEqual(['Your card is ready']));
  }, 60_000);
});
