// Frames nested thousands deep, on a real relay on 127.0.0.1: refused with a protocol error naming the depth, on the
// WebSocket and on poll posts, while the same session goes on answering well-formed requests (never a 500).
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../shared/json-depth';
import { PROTOCOL_V2 } from './test-support/docs-client';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

let t: TestRelay;

beforeAll(async () => {
  t = await startTestRelay();
});

afterAll(async () => {
  await t.stop();
});

/** A request whose params nest `depth` arrays, well inside the frame size limit. */
const deepRequest = (id: string, depth: number) =>
  `{"type":"req","id":"${id}","method":"conversations.list","params":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
const listRequest = (id: string) => ({ type: 'req', id, method: 'conversations.list', params: {} });

interface Res {
  type: string;
  id?: string;
  ok?: boolean;
  error?: { code: string; message: string };
}

describe('deeply nested frames', () => {
  it('are refused on the WebSocket as the request’s own error, and the socket keeps serving', async () => {
    const ws = new WebSocket(`${t.relay.url.replace('http', 'ws')}/v1/agent?device=deep-ws`, [PROTOCOL_V2], {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const frames: Res[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Res));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(deepRequest('deep', 100_000));
    ws.send(JSON.stringify(listRequest('after')));
    const after = await waitFor('the answer after the deep frame', () => frames.find((f) => f.id === 'after'));
    expect(after.ok).toBe(true);
    const deep = frames.find((f) => f.id === 'deep');
    expect(deep?.ok).toBe(false);
    expect(deep?.error?.code).toBe('invalid_input');
    expect(deep?.error?.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('are refused on a poll post with 400 and words, and the session keeps serving', async () => {
    const headers = { authorization: `Bearer ${t.token}` };
    const opened = await fetch(`${t.relay.url}/v1/poll?v=2&device=deep-poll`, { method: 'POST', headers });
    const { sessionId } = (await opened.json()) as { sessionId: string };
    const post = (body: string) => fetch(`${t.relay.url}/v1/poll/${sessionId}`, { method: 'POST', headers, body });

    const refused = await post(`{"frames":[${deepRequest('deep', 100_000)}]}`);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'invalid_input' });
    expect(body.error.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);

    expect((await post(JSON.stringify({ frames: [listRequest('after')] }))).status).toBe(204);
    const answers: Res[] = [];
    await waitFor('the answer after the deep post', async () => {
      const got = (await (await fetch(`${t.relay.url}/v1/poll/${sessionId}`, { headers })).json()) as { frames: Res[] };
      answers.push(...got.frames);
      return answers.find((f) => f.id === 'after');
    });
    expect(answers.find((f) => f.id === 'after')?.ok).toBe(true);
    expect(t.logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
