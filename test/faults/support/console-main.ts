// A console core in its own process for fault runs: sends a plan as the agent would, and can SIGKILL itself at a chosen point.
//   node --import tsx console-main.ts --relay URL --token T --data DIR --plan FILE [--crash POINT:K] [--transport ws|poll] [--sign-in]

/*
 * Queues the plan's messages through the console service's call() (skipping what an earlier run already saved), drains, and prints
 * its state every 100 ms. POINT is queue | send-before | send-after | send-answer | accept | apply-mid | ack: it dies the
 * K-th time it gets there.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createConsole } from '../../../src/main/core/create-console';
import { openLocalStore } from '../../../src/main/core/local-store';
import { createRelayAuthClient } from '../../../src/main/core/relay-auth-client';
import { RelayConnection } from '../../../src/main/core/relay-connection';
import { memoryTokenStore } from '../../../src/main/core/session-service';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    relay: { type: 'string' },
    token: { type: 'string' },
    data: { type: 'string' },
    plan: { type: 'string' },
    crash: { type: 'string' },
    transport: { type: 'string' },
    // Signs in as an agent does (a device session: short access tokens, refreshed) instead of starting with the token stored.
    'sign-in': { type: 'boolean' },
  },
});
const plan = JSON.parse(readFileSync(values.plan!, 'utf8')) as { messages: { to: string; body: string }[]; paceMs: number };
const print = (record: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(record)}\n`);
// Raw, unredacted: the suite scans these lines to prove the core never hands a secret or a body to its logger.
const log = (event: string, fields: Record<string, unknown> = {}) => process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const store = openLocalStore(values.data!);
const [point, nth] = (values.crash ?? 'none:0').split(':');
let reached = 0;
const hit = (at: string): boolean => at === point && ++reached === Number(nth);
const die = (): void => {
  print({ type: 'crash', point });
  process.kill(process.pid, 'SIGKILL');
};

// Crash points inside the store: mid-transaction (an event applied, the batch not committed), after commit before the ack,
// and before the relay's answer to a send is committed.
const internals = store as unknown as { applyEvent: (event: unknown, changes: unknown) => void };
const applyOne = internals.applyEvent.bind(store);
internals.applyEvent = (event, changes) => {
  applyOne(event, changes);
  if (hit('apply-mid')) die();
};
const applyBatch = store.applyEvents.bind(store);
store.applyEvents = (events) => {
  const changes = applyBatch(events);
  if (hit('ack')) die();
  return changes;
};
const accepted = store.outbox.accepted.bind(store.outbox);
store.outbox.accepted = (messageId, message) => {
  if (hit('accept')) die();
  return accepted(messageId, message);
};

store.session.setRelayUrl(values.relay!);
const core = createConsole({
  dataDir: values.data!,
  store,
  tokens: memoryTokenStore(values['sign-in'] === true ? undefined : values.token!),
  // The connection below is the real one; with --sign-in the relay's /v1/auth endpoints are too.
  ...(values['sign-in'] === true && { auth: createRelayAuthClient() }),
  log,
  connect: (options) => {
    const transport: { transport?: 'ws' | 'poll' } = values.transport === 'poll' || values.transport === 'ws' ? { transport: values.transport } : {};
    const connection = new RelayConnection({ ...options, ...transport, log, backoff: { baseMs: 100, capMs: 1_000, resetAfterMs: 5_000 } });
    return {
      start: () => connection.start(),
      stop: () => connection.stop(),
      retryNow: () => connection.retryNow(),
      // A refreshed device session hands the link its new access token.
      setToken: (token) => connection.setToken(token),
      snapshot: () => connection.snapshot(),
      async request(method, params, opts) {
        if (method !== 'messages.send') return connection.request(method, params, opts);
        if (hit('send-before')) die();
        const answer = connection.request(method, params, opts);
        if (hit('send-after')) setImmediate(die);
        const result = await answer;
        if (hit('send-answer')) die();
        return result;
      },
    };
  },
});
const { service } = core;
await core.start();
// A sign-in whose answer a fault swallowed is simply tried again, as an agent would press the button again.
while (values['sign-in'] === true && !(await service.call('session.signIn', { relayUrl: values.relay!, token: values.token! })).ok) await sleep(200);

let queuedAll = false;
const outbound = () => store.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM messages WHERE direction = 'out'").get()!.n;
const inbound = () => store.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM messages WHERE direction = 'in'").get()!.n;
const state = () => ({
  type: 'state',
  queued: store.outbox.queuedCount(),
  status: core.connectionState().status,
  cursor: store.cursor(),
  queuedAll,
  outbound: outbound(),
  inbound: inbound(),
});
const ticker = setInterval(() => print(state()), 100);

process.once('SIGTERM', () => {
  clearInterval(ticker);
  void core.stop().finally(() => {
    store.close();
    process.exit(0);
  });
});

const conversationOf = async (waId: string): Promise<string> => {
  for (;;) {
    const row = store.db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ? AND local_only = 0').get(waId);
    if (row !== undefined) return row.id;
    await sleep(20);
  }
};

const alreadySaved = new Set(
  store.db
    .prepare<[], { body: string }>("SELECT json_extract(content, '$.body') AS body FROM messages WHERE direction = 'out'")
    .all()
    .map((r) => r.body),
);
for (const message of plan.messages) {
  if (alreadySaved.has(message.body)) continue;
  const conversationId = await conversationOf(message.to);
  for (;;) {
    const result = await service.call('messages.sendText', { conversationId, body: message.body });
    if (result.ok) break;
    // Only a local refusal can land here (the relay is not asked); say so and try again.
    print({ type: 'send_refused', code: result.error.code });
    await sleep(100);
  }
  if (hit('queue')) die();
  if (plan.paceMs > 0) await sleep(plan.paceMs);
}
queuedAll = true;
print(state());
