// Meta's webhook against a real relay on loopback: every fixture, forgeries, repeats, out-of-order statuses.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Message } from '../../shared/domain';
import { RelayEvent } from '../../shared/protocol-events';
import { uuidv7 } from '../../shared/uuidv7';
import { RecordingProvider, TEST_VERIFY_TOKEN, signBody, startTestRelay, waitFor, type TestRelay } from '../test-support/relay-harness';
import { MAX_WEBHOOK_BYTES } from './webhook-route';

const fixtures = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
const HOUR = 3_600_000;
/** The business number of the test relay and of every fixture; agents' sends start conversations from it. */
const OUR_NUMBER = { phoneNumberId: '106540352242922', phoneNumberOnly: false };

let t: TestRelay;
let provider: RecordingProvider;

beforeEach(async () => {
  provider = new RecordingProvider();
  t = await startTestRelay({ overrides: { provider } });
});
afterEach(async () => {
  await t.stop();
});

async function events(): Promise<RelayEvent[]> {
  return (await t.relay.store.readEvents(0, 10_000)).map((e) => RelayEvent.parse(JSON.parse(e.json)));
}

async function messages(): Promise<Message[]> {
  return (await events()).flatMap((e) => (e.kind === 'message.created' ? [e.message] : []));
}

/** Rewrites a fixture's send timestamps to `at` (seconds), keeping everything else byte-for-byte in shape. */
function withTimestamp(raw: Buffer, atMs: number): string {
  return raw.toString('utf8').replace(/"timestamp": "\d+"/g, `"timestamp": "${Math.floor(atMs / 1000)}"`);
}

describe('webhook verification handshake', () => {
  it('echoes the challenge when the verify token matches', async () => {
    const res = await fetch(`${t.relay.url}/webhook?hub.mode=subscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1158201444');
  });

  it.each([
    ['a wrong token', `hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`],
    ['no token', `hub.mode=subscribe&hub.challenge=1`],
    ['a wrong mode', `hub.mode=unsubscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1`],
  ])('refuses %s with 403', async (_what, query) => {
    const res = await fetch(`${t.relay.url}/webhook?${query}`);
    expect(res.status).toBe(403);
  });
});

describe('inbound deliveries', () => {
  it.each([
    ['inbound-text.json', 'text'],
    ['inbound-document.json', 'document'],
    ['inbound-image-reply.json', 'image'],
    ['inbound-reaction.json', 'reaction'],
    ['inbound-button-reply.json', 'button_reply'],
  ])('stores %s once as a %s message, however often Meta repeats it', async (name, type) => {
    const body = fixture(name);
    for (let i = 0; i < 3; i++) expect((await t.postWebhook(body)).status).toBe(200);
    const stored = await messages();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.content.type).toBe(type);
    expect(stored[0]!.direction).toBe('in');
  });

  it('processes every entry, change and message of a batch', async () => {
    expect((await t.postWebhook(fixture('inbound-batch-two-entries.json'))).status).toBe(200);
    const stored = await messages();
    expect(stored).toHaveLength(3);
    expect(new Set(stored.map((m) => m.conversationId)).size).toBe(2);
    const conversations = (await events()).flatMap((e) => (e.kind === 'conversation.upserted' ? [e.conversation] : []));
    expect(new Set(conversations.map((c) => c.customer.waId)).size).toBe(2);
  });

  it('keeps the customer and opens the 24-hour window from their message', async () => {
    const now = Date.now();
    await t.postWebhook(withTimestamp(fixture('inbound-text.json'), now));
    const conversation = (await events()).flatMap((e) => (e.kind === 'conversation.upserted' ? [e.conversation] : [])).at(-1)!;
    expect(conversation.customer).toEqual({ waId: '972541234567', name: 'Dana Levi' });
    expect(conversation.lastInboundAt).toBe(Math.floor(now / 1000) * 1000);
    const [message] = await messages();
    expect(message!.content).toEqual({ type: 'text', body: 'Hi, I need a copy of my loan statement for March.' });
  });

  it('fetches inbound media from WhatsApp and serves it to agents with their token', async () => {
    await t.postWebhook(fixture('inbound-document.json'));
    const [message] = await messages();
    expect(message!.content).toMatchObject({ type: 'document', fileName: 'form-1043.pdf', mimeType: 'application/pdf', caption: 'Signed form' });
    const mediaId = (message!.content as { mediaId: string }).mediaId;
    const res = await fetch(`${t.relay.url}/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('bytes of 1503221694512345');
    expect(res.headers.get('content-disposition')).toContain('form-1043.pdf');
    expect((await fetch(`${t.relay.url}/v1/media/${mediaId}`)).status).toBe(401);
  });

  it('keeps a message type it does not know as "unsupported"', async () => {
    const body = fixture('inbound-text.json')
      .toString('utf8')
      .replace('"type": "text"', '"type": "hologram"')
      .replace('"text": { "body": "Hi, I need a copy of my loan statement for March." }', '"hologram": { "id": "x" }');
    expect((await t.postWebhook(body)).status).toBe(200);
    const [message] = await messages();
    expect(message!.content).toEqual({ type: 'unsupported', waType: 'hologram' });
  });
});

describe('refused deliveries store nothing', () => {
  const body = fixture('inbound-text.json');

  it.each([
    ['unsigned', 401, () => t.postWebhook(body, null)],
    ['signed with another secret', 401, () => t.postWebhook(body, signBody(body, 'not-the-app-secret'))],
    ['signature over a different body', 401, () => t.postWebhook(body, signBody(fixture('inbound-reaction.json')))],
    ['one byte changed after signing', 401, () => t.postWebhook(Buffer.from(body.toString().replace('March', 'April')), signBody(body))],
    ['a garbled signature header', 401, () => t.postWebhook(body, 'sha256=zz')],
    ['oversized', 413, () => t.postWebhook(Buffer.alloc(MAX_WEBHOOK_BYTES + 1, 0x20))],
    ['not JSON (but signed)', 400, () => t.postWebhook('{"object": "whatsapp_business_account", ')],
    ['not a WhatsApp delivery (but signed)', 400, () => t.postWebhook('{"object":"page","entry":[]}')],
  ] as const)('%s → %i', async (_what, status, post) => {
    const res = await post();
    expect(res.status).toBe(status);
    const error = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string() }) }).parse(await res.json());
    expect(error.error.message).not.toContain('loan statement');
    expect(await t.relay.store.head()).toBe(0);
  });

  it('logs the refusal without the body or the customer number', async () => {
    await t.postWebhook(body, null);
    const log = t.logLines.join('');
    expect(log).toContain('webhook.refused');
    expect(log).not.toContain('loan statement');
    expect(log).not.toContain('972541234567');
  });
});

describe('statuses', () => {
  /** The wamid of status-sent/-delivered/-read.json; status-failed-131047.json is about another message. */
  const wamid = 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAERgSMEM4QUZEQTZGNDYzQjA2NjE0AA==';
  const failedWamid = 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAERgSOUFBMjU2RTA0QjU0NzEyRkI5AA==';

  /** An outbound message whose send WhatsApp accepted with the given wamid. */
  async function outboundMessage(acceptedAs = wamid): Promise<string> {
    await t.postWebhook(withTimestamp(fixture('inbound-text.json'), Date.now() - HOUR)); // opens the window
    const sent = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), waId: '972541234567', content: { type: 'text', body: 'Your statement is on its way.' } },
      requestHash: 'h',
      now: Date.now(),
      ...OUR_NUMBER,
    });
    if (!sent.ok) throw new Error(sent.error.message);
    await t.relay.store.completeSend(sent.value.id, acceptedAs, Date.now());
    return sent.value.id;
  }

  async function statusOf(id: string): Promise<Message> {
    const page = await t.relay.store.history((await messages()).find((m) => m.id === id)!.conversationId, undefined, 50);
    if (!page.ok) throw new Error(page.error.message);
    return page.value.items.find((m) => m.id === id)!;
  }

  it.each([
    [['status-sent.json', 'status-delivered.json', 'status-read.json'], 'read'],
    [['status-read.json', 'status-delivered.json', 'status-sent.json'], 'read'],
    [['status-delivered.json', 'status-read.json', 'status-delivered.json'], 'read'],
    [['status-failed-131047.json'], 'failed'],
  ])('arriving as %j ends as %s', async (files, final) => {
    const id = await outboundMessage(final === 'failed' ? failedWamid : wamid);
    for (const file of files) expect((await t.postWebhook(fixture(file))).status).toBe(200);
    const message = await statusOf(id);
    expect(message.status).toBe(final);
    if (final === 'failed') expect(message.failure).toMatchObject({ code: 'template_required', metaCode: 131047 });
    // One event per step forward, never one that moves backwards.
    const steps = (await events()).flatMap((e) => (e.kind === 'message.status' && e.messageId === id ? [e.status] : []));
    expect(steps.at(-1)).toBe(final);
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('applies a status that arrived before the send was answered', async () => {
    await t.postWebhook(withTimestamp(fixture('inbound-text.json'), Date.now() - HOUR));
    const sent = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), waId: '972541234567', content: { type: 'text', body: 'x' } },
      requestHash: 'h',
      now: Date.now(),
      ...OUR_NUMBER,
    });
    if (!sent.ok) throw new Error(sent.error.message);
    await t.postWebhook(fixture('status-delivered.json')); // the wamid is not known yet
    await t.relay.store.completeSend(sent.value.id, wamid, Date.now());
    expect((await statusOf(sent.value.id)).status).toBe('delivered');
  });
});

describe('the outbound queue', () => {
  it('sends in per-conversation order and retries what WhatsApp could not take yet, exactly once each', async () => {
    await t.postWebhook(withTimestamp(fixture('inbound-text.json'), Date.now() - HOUR));
    provider.willAnswer(
      { kind: 'retry', reason: 'server_error', ambiguous: false },
      { kind: 'retry', reason: 'rate_limited', ambiguous: false, retryAfterMs: 10 },
    );
    const bodies = ['one', 'two', 'three', 'four'];
    for (const body of bodies) {
      const r = await t.relay.store.acceptSend({
        agentId: 'ana',
        params: { clientMessageId: uuidv7(), waId: '972541234567', content: { type: 'text', body } },
        requestHash: body,
        now: Date.now(),
        ...OUR_NUMBER,
      });
      expect(r.ok).toBe(true);
    }
    t.relay.log.info('test.queued');
    await waitFor('the queue to drain', async () => ((await t.relay.store.pendingJobCount()) === 0 ? true : undefined), 20_000);
    const accepted = provider.sends.map((s) => (s.content.type === 'text' ? s.content.body : ''));
    // The first two attempts of "one" were refused; after that, each message exactly once, in order.
    expect(accepted).toEqual(['one', 'one', 'one', 'two', 'three', 'four']);
  });

  it('turns a window-closed answer from WhatsApp into a failure the agent can act on', async () => {
    await t.postWebhook(withTimestamp(fixture('inbound-text.json'), Date.now() - HOUR));
    provider.willAnswer({ kind: 'failed', failure: { code: 'template_required', message: 'Re-engagement message', metaCode: 131047 } });
    const r = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), waId: '972541234567', content: { type: 'text', body: 'late' } },
      requestHash: 'late',
      now: Date.now(),
      ...OUR_NUMBER,
    });
    if (!r.ok) throw new Error(r.error.message);
    const status = await waitFor('the failure', async () => {
      const s = (await events()).find((e) => e.kind === 'message.status' && e.messageId === r.value.id && e.status === 'failed');
      return s?.kind === 'message.status' ? s : undefined;
    });
    expect(status.failure).toMatchObject({ code: 'template_required', metaCode: 131047 });
    expect(await t.relay.store.pendingJobCount()).toBe(0);
  });

  it('refuses free text outside the 24-hour window before it reaches WhatsApp', async () => {
    await t.postWebhook(withTimestamp(fixture('inbound-text.json'), Date.now() - 25 * HOUR));
    const r = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), waId: '972541234567', content: { type: 'text', body: 'too late' } },
      requestHash: 'x',
      now: Date.now(),
      ...OUR_NUMBER,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('template_required');
    const template = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: {
        clientMessageId: uuidv7(),
        waId: '972541234567',
        content: { type: 'template', name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl'] },
      },
      requestHash: 'y',
      now: Date.now(),
      ...OUR_NUMBER,
    });
    expect(template.ok).toBe(true);
    await waitFor('the template to go out', () => (provider.sends.length === 1 ? true : undefined));
    expect(provider.sends[0]!.content.type).toBe('template');
  });
});

describe('shutdown', () => {
  it('waits for an inbound media fetch in flight instead of writing to a closed store', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    class SlowMedia extends RecordingProvider {
      override async fetchMedia(waMediaId: string) {
        await gate;
        return super.fetchMedia(waMediaId);
      }
    }
    const slow = await startTestRelay({ overrides: { provider: new SlowMedia() } });
    expect((await slow.postWebhook(fixture('inbound-document.json'))).status).toBe(200);
    const closing = slow.stop();
    release();
    await expect(closing).resolves.toBeUndefined();
  });
});
