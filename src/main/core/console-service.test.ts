// The console service with a scripted relay link: inputs parsed, sign-in outcomes, queue-then-drain, batched events.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '../../shared/clock';
import type { ConsoleEvent, EventPayload } from '../../shared/contract';
import type { Conversation, Message } from '../../shared/domain';
import type { Result } from '../../shared/errors';
import type { HelloFrame, SequencedEvent } from '../../shared/protocol';
import { createConsole, type Console } from './create-console';
import { parsePolicy } from './policy';
import type { MediaClient } from './relay-media-client';
import type { ConnectionFactory, LinkSnapshot } from './service-types';
import type { TokenStore } from './session-service';
import { unzip } from './test-support/unzip';
import { inboundText } from './test-support/messages';

const NOW = Date.UTC(2026, 10, 24, 10);

class FakeLink {
  snapshotValue: LinkSnapshot = { status: 'connecting', transport: null, nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null };
  requests: { method: string; params: unknown }[] = [];
  answer: (method: string, params: unknown) => Result<unknown> = (method, params) =>
    method === 'messages.send' ? { ok: true, value: { message: { ...(params as { queued: Message }).queued, status: 'pending' } } } : { ok: true, value: {} };
  options!: Parameters<ConnectionFactory>[0];
  started = 0;

  factory: ConnectionFactory = (options) => {
    this.options = options;
    return {
      start: () => void this.started++,
      stop: async () => this.set({ status: 'stopped' }),
      retryNow: () => {},
      snapshot: () => this.snapshotValue,
      request: async (method, params) => {
        this.requests.push({ method, params });
        return this.answer(method, params);
      },
    };
  };

  set(change: Partial<LinkSnapshot>): void {
    this.snapshotValue = { ...this.snapshotValue, ...change };
    this.options.onStateChange(this.snapshotValue);
  }

  goLive(): void {
    this.set({ status: 'live', transport: 'ws', agent: { id: 'ana', name: 'Ana Cohen' } });
  }
}

const memoryTokens = (): TokenStore & { value: string | null } => {
  const store = {
    value: null as string | null,
    load: async () => store.value,
    save: async (t: string) => void (store.value = t),
    clear: async () => void (store.value = null),
  };
  return store;
};
const noMedia: MediaClient = {
  upload: async () => ({ ok: false, error: { code: 'unavailable', message: 'no', retryable: true } }),
  download: async () => ({ ok: false, error: { code: 'unavailable', message: 'no', retryable: true } }),
};

let consoles: Console[] = [];
afterEach(async () => {
  for (const c of consoles) await c.stop();
  consoles = [];
});

function setup(options: { policy?: Record<string, unknown>; diagnostics?: boolean } = {}) {
  const clock: FakeClock = createFakeClock(NOW, 0);
  const link = new FakeLink();
  const tokens = memoryTokens();
  const events: { event: ConsoleEvent; payload: unknown }[] = [];
  const core = createConsole({
    dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-svc-')),
    tokens,
    connect: link.factory,
    media: noMedia,
    clock,
    random: () => 0,
    coalesceMs: 50,
    signInTimeoutMs: 2_000,
    ...(options.policy !== undefined && { policy: parsePolicy(options.policy, 'policy.json') }),
    ...(options.diagnostics === true && {
      diagnostics: { logFiles: () => [], versions: { app: 'test' }, storage: { encrypted: true, keyLocation: 'OS keychain' } },
    }),
  });
  const { service, store } = core;
  service.on((event, payload) => events.push({ event, payload }));
  consoles.push(core);
  const of = <E extends ConsoleEvent>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
  return { core, store, clock, link, tokens, service, events, of };
}

const conversation = (id: string, lastInboundAt: number | null = NOW - 60_000): Conversation => ({
  id,
  customer: { waId: '972541234567', name: 'Dana Levi' },
  assignedAgentId: null,
  lastInboundAt,
  caseId: null,
  readUpTo: null,
  lastMessageAt: NOW - 60_000,
  createdAt: NOW - 60_000,
  updatedAt: NOW - 60_000,
});
const inbound = (id: string, conversationId: string, body: string, at = NOW): Message => inboundText(id, conversationId, body, at);

async function signedIn(options: Parameters<typeof setup>[0] = {}) {
  const ctx = setup(options);
  const signing = ctx.service.call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token: 'blt_token_value' });
  await Promise.resolve();
  ctx.link.goLive();
  const result = await signing;
  expect(result.ok).toBe(true);
  let seq = 0;
  const deliver = (events: SequencedEvent['event'][]) => ctx.link.options.onEvents(events.map((event) => ({ seq: ++seq, event })));
  await deliver([{ kind: 'conversation.upserted', conversation: conversation('c1') }]);
  // c1 arrived without its history, so the console asked the relay for it (protocol v2): that is setup, not what is tested.
  ctx.link.requests.length = 0;
  return { ...ctx, deliver };
}

describe('console service input checks (nothing the UI sends is trusted)', () => {
  it.each([
    ['an unknown method', 'messages.delete', {}],
    ['a missing field', 'messages.sendText', { conversationId: 'c1' }],
    ['a wrong type', 'messages.sendText', { conversationId: 'c1', body: 42 }],
    ['a path where an id belongs', 'drafts.get', { conversationId: '../../etc/passwd' }],
    ['a huge string', 'messages.sendText', { conversationId: 'c1', body: 'x'.repeat(5_000) }],
    ['an empty message', 'messages.sendText', { conversationId: 'c1', body: '   ' }],
    ['extra keys on an empty input', 'settings.get', { sneaky: true }],
    ['a bad relay address', 'session.signIn', { relayUrl: 'file:///etc/passwd', token: 'blt_token_value' }],
    ['credentials in the relay address', 'session.signIn', { relayUrl: 'https://user:pw@relay.example', token: 'blt_token_value' }],
  ])('refuses %s with a clear error and changes nothing', async (_what, method, input) => {
    const { service, store } = setup();
    const result = await service.call(method, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(['invalid_input', 'unknown_method']).toContain(result.error.code);
      expect(result.error.message).not.toContain('x'.repeat(100));
    }
    expect(store.outbox.queuedCount()).toBe(0);
  });
});

describe('signing in', () => {
  it('signs in with the token on a relay without device sessions, and never stores the static token', async () => {
    const { service, link, tokens } = setup();
    const signing = service.call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token: 'blt_token_value' });
    await Promise.resolve();
    link.goLive();
    expect(await signing).toMatchObject({ ok: true, value: { signedIn: true, agent: { id: 'ana' } } });
    expect(tokens.value).toBeNull();
  });

  it('says the token was refused, and stores nothing', async () => {
    const { service, link, tokens, store } = setup();
    const signing = service.call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token: 'blt_wrong_token' });
    await Promise.resolve();
    link.set({ status: 'credentials_needed' });
    expect(await signing).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(tokens.value).toBeNull();
    expect(store.session.get().lastRelayUrl).toBe('ws://127.0.0.1:9'); // the login screen keeps the address
  });

  it('refuses a relay address other than the one IT fixed', async () => {
    const { service } = setup({ policy: { relay: { url: 'wss://relay.bank.example', allowUserOverride: false } } });
    expect(await service.call('session.signIn', { relayUrl: 'wss://evil.example', token: 'blt_token_value' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await service.call('session.get', {})).toMatchObject({ ok: true, value: { relayUrl: 'wss://relay.bank.example', relayUrlLocked: true } });
  });
});

describe('sending', () => {
  it('shows the message as queued at once, and hands it to the relay when live', async () => {
    const { service, link, of, store } = await signedIn();
    link.set({ status: 'backing_off', nextAttemptAtMono: 5_000 });
    const sent = await service.call('messages.sendText', { conversationId: 'c1', body: 'Your card is ready.' });
    expect(sent).toMatchObject({ ok: true, value: { message: { status: 'queued' } } });
    expect(of('messages.changed').at(-1)!.messages[0]).toMatchObject({ status: 'queued' });
    expect(of('connection.changed').at(-1)).toMatchObject({ status: 'reconnecting', queued: 1, nextAttemptAt: NOW + 5_000 });
    expect(link.requests).toEqual([]);

    link.answer = (_method, params) => ({
      ok: true,
      value: { message: { ...store.message((params as { clientMessageId: string }).clientMessageId)!, status: 'pending' } },
    });
    link.goLive();
    await new Promise((r) => setTimeout(r, 10));
    expect(link.requests.map((r) => r.method)).toEqual(['messages.send']);
    expect(store.outbox.queuedCount()).toBe(0);
  });

  it('refuses free text when the 24-hour window is closed, but sends a template', async () => {
    const { service, deliver } = await signedIn();
    await deliver([{ kind: 'conversation.upserted', conversation: { ...conversation('c2', NOW - 25 * 3_600_000), updatedAt: NOW } }]);
    expect(await service.call('messages.sendText', { conversationId: 'c2', body: 'hello' })).toMatchObject({ ok: false, error: { code: 'template_required' } });
    expect(
      await service.call('messages.sendTemplate', { conversationId: 'c2', name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl'] }),
    ).toMatchObject({ ok: true });
  });

  it('turns a permanent refusal into a failure with a reason, and retry sends it again as a new message', async () => {
    const { service, link, store } = await signedIn();
    link.answer = () => ({ ok: false, error: { code: 'template_required', message: 'closed', retryable: false } });
    const sent = await service.call('messages.sendText', { conversationId: 'c1', body: 'late' });
    await new Promise((r) => setTimeout(r, 10));
    const id = (sent as { value: { message: Message } }).value.message.id;
    expect(store.message(id)).toMatchObject({ status: 'failed', failure: { code: 'template_required' } });
    link.answer = (_m, params) => ({
      ok: true,
      value: { message: { ...store.message((params as { clientMessageId: string }).clientMessageId)!, status: 'pending' } },
    });
    expect(await service.call('messages.retry', { messageId: id })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 10));
    const page = await service.call('messages.page', { conversationId: 'c1', limit: 10 });
    const bodies = (page as { value: { messages: Message[] } }).value.messages.map((m) => [m.status, (m.content as { body: string }).body]);
    expect(bodies).toEqual([['pending', 'late']]);
  });
});

describe('events', () => {
  it('batches a burst of 1,000 inbound messages into a handful of UI updates', async () => {
    const { of, deliver, clock } = await signedIn();
    const before = of('conversations.changed').length + of('messages.changed').length;
    for (let i = 0; i < 100; i++)
      await deliver(Array.from({ length: 10 }, (_, j) => ({ kind: 'message.created' as const, message: inbound(`m${i}-${j}`, 'c1', `msg ${i}-${j}`) })));
    clock.advance(60);
    const updates = of('conversations.changed').length + of('messages.changed').length - before;
    expect(updates).toBeLessThanOrEqual(4);
    expect(
      of('messages.changed')
        .flatMap((e) => e.messages)
        .filter((m) => m.id.startsWith('m')),
    ).toHaveLength(1_000);
  });

  it('raises one notification per conversation, and none for the one open on screen', async () => {
    const { service, of, deliver, clock } = await signedIn();
    await service.call('settings.set', { notificationPrivacy: 'show' });
    await deliver([
      { kind: 'message.created', message: inbound('a', 'c1', 'first') },
      { kind: 'message.created', message: inbound('b', 'c1', 'second', NOW + 1) },
    ]);
    clock.advance(60);
    expect(of('notification.show')).toEqual([{ conversationId: 'c1', messageId: 'b', title: 'Dana Levi', body: 'second' }]);
    await service.call('conversations.setOpen', { conversationId: 'c1', windowFocused: true });
    await deliver([{ kind: 'message.created', message: inbound('c', 'c1', 'third', NOW + 2) }]);
    clock.advance(60);
    expect(of('notification.show')).toHaveLength(1);
  });

  it('hides message text in notifications by default (a lock screen shows them), and shows it once the agent chooses to', async () => {
    const { service, of, deliver, clock } = await signedIn();
    expect(await service.call('settings.get', {})).toMatchObject({ ok: true, value: { notificationPrivacy: 'hide' } });
    await deliver([{ kind: 'message.created', message: inbound('a', 'c1', 'my PIN is 1234') }]);
    clock.advance(60);
    expect(of('notification.show')[0]).toMatchObject({ title: 'Dana Levi', body: null });
    await service.call('settings.set', { notificationPrivacy: 'show' });
    await deliver([{ kind: 'message.created', message: inbound('b', 'c1', 'is my card ready?', NOW + 1) }]);
    clock.advance(60);
    expect(of('notification.show')[1]).toMatchObject({ title: 'Dana Levi', body: 'is my card ready?' });
  });
});

describe('resync', () => {
  it('pages conversations and history, reports progress, and only then sets the cursor', async () => {
    const { link, of, store, service } = setup();
    const signing = service.call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token: 'blt_token_value' });
    await Promise.resolve();
    link.answer = (method, params) => {
      if (method === 'conversations.list') {
        const cursor = (params as { cursor?: string }).cursor;
        return cursor === undefined
          ? { ok: true, value: { conversations: [conversation('x1')], nextCursor: 'p2', total: 2, head: 40 } }
          : { ok: true, value: { conversations: [conversation('x2')], nextCursor: null, total: 2, head: 40 } };
      }
      if (method === 'messages.history')
        return {
          ok: true,
          value: {
            messages: [inbound(`h-${(params as { conversationId: string }).conversationId}`, (params as { conversationId: string }).conversationId, 'old')],
            nextCursor: null,
          },
        };
      return { ok: true, value: {} };
    };
    const hello = { head: 40 } as HelloFrame;
    const syncing = link.options.onResync(hello);
    expect(store.cursor()).toBeNull();
    await syncing;
    link.goLive();
    await signing;
    expect(store.cursor()).toBe(40);
    expect(of('sync.progress').map((p) => [p.done, p.total])).toEqual(
      expect.arrayContaining([
        [1, 2],
        [2, 2],
      ]),
    );
    expect(store.message('h-x2')).not.toBeNull();
  });
});

describe('desktop status, policy and retention', () => {
  it('enforces a notification privacy IT locked by policy, whatever the agent chooses', async () => {
    const { service } = setup({ policy: { notifications: { privacy: 'hide' } } });
    await service.call('settings.set', { notificationPrivacy: 'show' });
    expect(await service.call('settings.get', {})).toMatchObject({ ok: true, value: { notificationPrivacy: 'hide' } });
    expect(await service.call('app.status', {})).toMatchObject({ ok: true, value: { notificationPrivacyLocked: true } });
  });

  it('uses the policy privacy only as a default when it is not locked', async () => {
    const { service } = setup({ policy: { notifications: { privacyDefault: 'hide' } } });
    expect(await service.call('settings.get', {})).toMatchObject({ ok: true, value: { notificationPrivacy: 'hide' } });
    await service.call('settings.set', { notificationPrivacy: 'show' });
    expect(await service.call('settings.get', {})).toMatchObject({ ok: true, value: { notificationPrivacy: 'show' } });
  });

  it("removes history older than the retention period, but never an unsent message or a conversation's newest one", async () => {
    const { store, deliver } = await signedIn();
    const DAY = 86_400_000;
    await deliver([
      { kind: 'message.created', message: inbound('old1', 'c1', 'from last year', NOW - 400 * DAY) },
      { kind: 'message.created', message: inbound('old2', 'c1', 'from last month', NOW - 40 * DAY) },
      { kind: 'message.created', message: inbound('new', 'c1', 'today', NOW) },
      { kind: 'message.created', message: inbound('only', 'c9', 'the only one, old', NOW - 400 * DAY) },
    ]);
    expect(store.pruneHistory(NOW - 30 * DAY)).toEqual({ messages: 2, files: 0 });
    expect(store.message('old1')).toBeNull();
    expect(store.message('new')).not.toBeNull();
    expect(store.message('only')).not.toBeNull();
  });

  it('keeps a connection history for diagnostics, as codes IT can read', async () => {
    const { service, link } = await signedIn({ diagnostics: true });
    link.set({ status: 'backing_off', nextAttemptAtMono: 1_000, detail: { code: 'unreachable', params: { error: 'ECONNREFUSED' } } });
    link.goLive();
    const exported = await service.call('diagnostics.export', {});
    if (!exported.ok) throw new Error(exported.error.message);
    const { fileName, dataBase64 } = exported.value as { fileName: string; dataBase64: string };
    expect(fileName).toMatch(/^branchline-diagnostics-\d{4}-\d{2}-\d{2}\.zip$/);
    const files = await unzip(Buffer.from(dataBase64, 'base64'));
    const history = JSON.parse(files['connection-history.json']!) as { status: string; detail: { code: string; params: Record<string, unknown> } | null }[];
    expect(history.map((h) => h.status)).toEqual(expect.arrayContaining(['live', 'reconnecting']));
    expect(history.find((h) => h.status === 'reconnecting')?.detail).toEqual({ code: 'unreachable', params: { error: 'ECONNREFUSED' } });
    expect(files['settings.json']).toContain('notificationPrivacy');
    // What the host says about its cache reaches the bundle.
    expect(JSON.parse(files['storage.json']!)).toEqual({ cache: 'encrypted', keyLocation: 'OS keychain' });
  });
});
