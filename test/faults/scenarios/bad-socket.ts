// Bad input on the relay's agent socket: malformed, oversized, id-less and flooding frames; bad and stolen credentials.
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../../src/shared/uuidv7';
import { waitFor } from '../../../src/relay/test-support/relay-harness';
import { openAgentSocket } from '../support/agent-socket';
import { malformedFrames } from '../support/bad-frames';
import { scanLogs } from '../support/checks';
import { CUSTOMERS, customersSayHello } from '../support/customers';
import { emptyFigures, type Figures } from '../support/figures';
import { APP_SECRET, healthy, startRelayProcess, type RelayProcess } from '../support/relay-process';
import type { Scenario } from '../support/scenario';
import { isRefusal, relayData, tried } from '../support/tally';

async function stillServing(relay: RelayProcess, figures: Figures, after: string): Promise<void> {
  const ok = await healthy(relay.url);
  const probe = await openAgentSocket(relay.url, { token: relay.token, device: `probe-${randomBytes(3).toString('hex')}` });
  const answer = await probe.request('probe', 'conversations.list', { limit: 1 });
  await probe.close();
  if (!ok || answer?.['ok'] !== true) figures.violations.push(`the relay stopped serving after ${after}`);
}

export const badSocket: Scenario = {
  name: 'bad-socket',
  title: 'the agent socket gets malformed, oversized, id-less and flooding frames, and bad, revoked and stolen credentials',
  async run(ctx) {
    const figures = emptyFigures();
    const relay = await startRelayProcess(ctx);
    await customersSayHello(() => relay.url, CUSTOMERS, 'bs');
    const conversationId = relay.query<{ id: string }>(
      'SELECT c.id FROM conversations c JOIN customers u ON u.id = c.customer_id WHERE u.wa_id = ?',
      CUSTOMERS[0],
    )[0]!.id;
    // A real message first, so a repeat of its clientMessageId with other content is a conflict.
    const socket = await openAgentSocket(relay.url, { token: relay.token, since: '0' });
    const firstId = uuidv7();
    const first = await socket.request('ok-1', 'messages.send', {
      clientMessageId: firstId,
      conversationId,
      content: { type: 'text', body: 'bs the one real message' },
    });
    if (first?.['ok'] !== true) figures.violations.push('a valid send was refused');
    // Let it go out and be read, so the relay's data holds still while bad input comes in.
    await waitFor(
      'the real message to be read',
      () => (relay.query<{ status: string }>('SELECT status FROM messages WHERE id = ?', firstId)[0]?.status === 'read' ? true : undefined),
      20_000,
    );
    const before = relayData(relay);

    for (const { what, text, codes } of [
      ...malformedFrames(conversationId),
      {
        what: 'a clientMessageId reused for other content',
        text: JSON.stringify({
          type: 'req',
          id: 'dup',
          method: 'messages.send',
          params: { clientMessageId: firstId, conversationId, content: { type: 'text', body: 'something else' } },
        }),
        codes: ['conflict'],
      },
    ]) {
      const already = socket.frames.length;
      socket.send(text, text.startsWith('\u0000'));
      const answer = await socket.next((f) => socket.frames.indexOf(f) >= already && (f['type'] === 'error' || f['type'] === 'res'));
      tried(figures, what, isRefusal(answer, codes), answer);
    }
    if (socket.ws.readyState !== socket.ws.OPEN) figures.violations.push('the relay closed a connection over a malformed frame');

    // Over the frame limit: the connection is closed with 1009 (a client bug), the relay keeps serving.
    socket.send(JSON.stringify({ type: 'req', id: 'big', method: 'conversations.list', params: { pad: 'x'.repeat(300 * 1024) } }));
    const bigClose = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
    tried(figures, 'a 300 KB frame', bigClose?.code === 1009, bigClose);
    await stillServing(relay, figures, 'an oversized frame');

    // A flood from one device: rate_limited answers, then 4008; another device of the same agent is served meanwhile.
    await floodFromOneDevice(relay, figures);
    await stillServing(relay, figures, 'a request flood');

    await badCredentials(relay, figures);
    await stillServing(relay, figures, 'bad credentials');

    const after = relayData(relay);
    if (after !== before) figures.violations.push(`bad input changed what the relay stores: ${before} → ${after}`);
    await relay.stop();
    scanLogs(relay.logLines, [relay.token, APP_SECRET, 'bs the one real message', 'something else', ...CUSTOMERS], figures, 'the relay');
    return figures;
  },
};

async function floodFromOneDevice(relay: RelayProcess, figures: Figures): Promise<void> {
  const flooder = await openAgentSocket(relay.url, { token: relay.token, device: 'flooder' });
  const other = await openAgentSocket(relay.url, { token: relay.token, device: 'bystander' });
  for (let i = 0; i < 1_000; i++) flooder.send(JSON.stringify({ type: 'req', id: `f${i}`, method: 'conversations.list', params: { limit: 1 } }));
  const served = await other.request('calm', 'conversations.list', { limit: 1 });
  const closedWith = await Promise.race([flooder.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000))]);
  const limited = flooder.frames.filter((f) => isRefusal(f, ['rate_limited'])).length;
  tried(figures, 'a flood of 1000 requests from one device', limited > 0 && closedWith?.code === 4008, { limited, close: closedWith?.code });
  if (served?.['ok'] !== true) figures.violations.push('another device of the same agent was not served during a flood');
  await flooder.close();
  await other.close();
}

async function badCredentials(relay: RelayProcess, figures: Figures): Promise<void> {
  const closeCode = async (options: Parameters<typeof openAgentSocket>[1]) => {
    const s = await openAgentSocket(relay.url, options);
    const closed = await Promise.race([s.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
    await s.close();
    return closed?.code ?? null;
  };
  tried(figures, 'no token', (await closeCode({ token: null })) === 4001);
  tried(figures, 'a made-up token', (await closeCode({ token: `blt_${randomBytes(32).toString('base64url')}` })) === 4001);
  tried(figures, 'a token with a bad prefix', (await closeCode({ token: relay.token.replace('blt_', 'xyz_') })) === 4001);
  tried(
    figures,
    'protocol branchline.v99 (a version this relay does not serve)',
    (await closeCode({ token: relay.token, protocol: 'branchline.v99' })) === 4002,
  );
  tried(figures, 'no device id', (await closeCode({ token: relay.token, device: null })) === 1008);
  tried(figures, 'a path as device id', (await closeCode({ token: relay.token, device: '../../etc' })) === 1008);
  tried(figures, 'since=abc', (await closeCode({ token: relay.token, since: 'abc' })) === 1008);

  // Revoked while connected: the next request closes the connection with 4001; reconnecting and polling are refused.
  const bobToken = await relay.addAgent('bob', 'Bob Levi');
  const bob = await openAgentSocket(relay.url, { token: bobToken, device: 'bob-desk', answerPings: true });
  await relay.revokeAgent('bob');
  bob.send(JSON.stringify({ type: 'req', id: 'after-revoke', method: 'conversations.list', params: {} }));
  const bobClosed = await Promise.race([bob.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
  tried(
    figures,
    'a request after the token was revoked',
    bobClosed?.code === 4001 && !bob.frames.some((f) => f['id'] === 'after-revoke' && f['ok'] === true),
    bobClosed,
  );
  tried(figures, 'reconnecting with a revoked token', (await closeCode({ token: bobToken })) === 4001);
  const pollRevoked = await fetch(`${relay.url}/v1/poll?v=1&device=bob-desk`, { method: 'POST', headers: { authorization: `Bearer ${bobToken}` } });
  tried(figures, 'opening a poll session with a revoked token', pollRevoked.status === 401);
  const mediaRevoked = await fetch(`${relay.url}/v1/media/anything`, { headers: { authorization: `Bearer ${bobToken}` } });
  tried(figures, 'fetching media with a revoked token', mediaRevoked.status === 401);

  // A stolen long-poll session id, used with another agent's valid token.
  const carolToken = await relay.addAgent('carol', 'Carol Mizrahi');
  const opened = await fetch(`${relay.url}/v1/poll?v=1&device=ana-desk`, { method: 'POST', headers: { authorization: `Bearer ${relay.token}` } });
  const { sessionId } = (await opened.json()) as { sessionId: string };
  const stolenGet = await fetch(`${relay.url}/v1/poll/${sessionId}`, { headers: { authorization: `Bearer ${carolToken}` } });
  tried(figures, "receiving on another agent's poll session", stolenGet.status === 403, stolenGet.status);
  const forged = {
    frames: [
      {
        type: 'req',
        id: 'stolen',
        method: 'messages.send',
        params: { clientMessageId: uuidv7(), waId: CUSTOMERS[1], content: { type: 'text', body: 'sent with a stolen session' } },
      },
    ],
  };
  const stolenPost = await fetch(`${relay.url}/v1/poll/${sessionId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${carolToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(forged),
  });
  tried(figures, "sending on another agent's poll session", stolenPost.status === 403, stolenPost.status);
  const noToken = await fetch(`${relay.url}/v1/poll/${sessionId}`, { method: 'POST', body: JSON.stringify(forged) });
  tried(figures, 'sending on a poll session without a token', noToken.status === 401, noToken.status);
  const tooMany = await fetch(`${relay.url}/v1/poll/${sessionId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.token}` },
    body: JSON.stringify({ frames: Array.from({ length: 65 }, () => ({ type: 'ping' })) }),
  });
  tried(figures, 'a poll POST with 65 frames', tooMany.status === 400, tooMany.status);
  const huge = await fetch(`${relay.url}/v1/poll/${sessionId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.token}` },
    body: JSON.stringify({ frames: [{ type: 'ping', pad: 'x'.repeat(1_100_000) }] }),
  }).catch(() => null);
  tried(figures, 'a poll POST over 1 MiB', huge?.status === 413, huge?.status);
  const notJson = await fetch(`${relay.url}/v1/poll/${sessionId}`, { method: 'POST', headers: { authorization: `Bearer ${relay.token}` }, body: '{"frames":' });
  tried(figures, 'a poll POST that is not JSON', notJson.status === 400, notJson.status);
  // The owner's session is unharmed and never saw the forged request.
  const own = await fetch(`${relay.url}/v1/poll/${sessionId}`, { headers: { authorization: `Bearer ${relay.token}` } });
  const body = (await own.json()) as { frames?: { type: string; id?: string }[] };
  if (own.status !== 200 || !Array.isArray(body.frames) || body.frames.some((f) => f.id === 'stolen'))
    figures.violations.push("the owner's poll session was disturbed by the stolen id");
}
