// A console core (createConsole: service, RelayConnection, SQLite cache) in its own process, instrumented at its edges only.
//   node --import tsx bench/procs/console-host.ts --data DIR --relay URL --token T
import { readFileSync } from 'node:fs';
import type { Message } from '../../src/shared/domain';
import { createConsole } from '../../src/main/core/create-console';
import { openLocalStore } from '../../src/main/core/local-store';
import { RelayConnection } from '../../src/main/core/relay-connection';
import type { TransportFactory } from '../../src/main/core/relay-connection-types';
import { nodeTransports } from '../../src/main/core/relay-transports';
import { memoryTokenStore } from '../../src/main/core/session-service';
import { emit, requiredArg, serve } from '../lib/child-side';
import { nowMs, sleep } from '../lib/clock';

const store = openLocalStore(requiredArg('data'));
store.session.setRelayUrl(requiredArg('relay'));

/** Each applyEvents call: events and milliseconds (shows whether commits slow down as the cache grows). */
const commitLog: { events: number; ms: number }[] = [];
const stats = { acked: 0, ackedAt: 0, framesIn: 0, rateLimited: 0, commits: 0, commitMs: 0, firstFrameAt: 0, liveAt: 0 };
/** messages.send requests written to the relay and not yet answered. */
const sendsInFlight = new Set<string>();
const changeWaiters = new Set<() => void>();
const poke = () => {
  for (const waiter of [...changeWaiters]) waiter();
};

/** The real transports, observed: frames in, acks out, rate-limit refusals. */
const transports: TransportFactory = {
  open(kind, params, handlers) {
    const transport = nodeTransports.open(kind, params, {
      ...handlers,
      frame: (text) => {
        stats.framesIn += 1;
        if (stats.firstFrameAt === 0) stats.firstFrameAt = nowMs();
        if (text.startsWith('{"type":"res"')) {
          sendsInFlight.delete(/"id":"([^"]+)"/.exec(text)?.[1] ?? '');
          if (text.includes('"rate_limited"')) stats.rateLimited += 1;
        }
        handlers.frame(text);
      },
    });
    return {
      kind: transport.kind,
      send(text) {
        transport.send(text);
        if (text.startsWith('{"type":"req"') && text.includes('"method":"messages.send"')) sendsInFlight.add(/"id":"([^"]+)"/.exec(text)?.[1] ?? '');
        if (text.startsWith('{"type":"ack"')) {
          stats.acked = Number(/"seq":(\d+)/.exec(text)?.[1] ?? 0);
          stats.ackedAt = nowMs();
          poke();
        }
      },
      close: (how) => {
        sendsInFlight.clear();
        return transport.close(how);
      },
    };
  },
  probeWebSocket: (params) => nodeTransports.probeWebSocket(params),
};

// Latency tracking: when a message whose text starts with the prefix is committed, and when its change event is emitted.
let prefix: string | null = null;
const committedAt = new Map<string, number>();
const keyOf = (body: string) => /^(lat-\d+-\d+)/.exec(body)?.[1] ?? null;
const apply = store.applyEvents.bind(store);
store.applyEvents = (events) => {
  const started = performance.now();
  const changes = apply(events);
  const ms = performance.now() - started;
  stats.commitMs += ms;
  if (commitLog.length < 100_000) commitLog.push({ events: events.length, ms });
  stats.commits += 1;
  if (prefix !== null) {
    const at = nowMs();
    for (const { event } of events) {
      if (event.kind === 'message.created' && event.message.content.type === 'text' && event.message.content.body.startsWith(prefix)) {
        const key = keyOf(event.message.content.body);
        if (key !== null) committedAt.set(key, at);
      }
    }
  }
  return changes;
};

let connection: RelayConnection | null = null;
const core = createConsole({
  dataDir: requiredArg('data'),
  store,
  tokens: memoryTokenStore(requiredArg('token')),
  connect: (options) => (connection = new RelayConnection({ ...options, transports })),
});
const { service } = core;
let status = 'signed_out';
service.on((event, payload) => {
  if (event === 'connection.changed') {
    status = (payload as { status: string }).status;
    if (status === 'live' && stats.liveAt === 0) stats.liveAt = nowMs();
    poke();
  } else if (event === 'messages.changed' && prefix !== null) {
    const at = nowMs();
    const seen: { key: string; committedAt: number | null; changedAt: number }[] = [];
    for (const m of (payload as { messages: Message[] }).messages) {
      if (m.direction !== 'in' || m.content.type !== 'text' || !m.content.body.startsWith(prefix)) continue;
      const key = keyOf(m.content.body);
      if (key !== null) seen.push({ key, committedAt: committedAt.get(key) ?? null, changedAt: at });
    }
    if (seen.length > 0) emit({ type: 'seen', seen });
  }
});

/** Resolves once `done()` holds, re-checked on every connection change and ack (and every 20 ms); rejects after the timeout. */
function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      clearInterval(poll);
      changeWaiters.delete(check);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${what} not reached within ${timeoutMs} ms (status ${status}, acked ${stats.acked}, cursor ${store.cursor()})`));
    }, timeoutMs);
    const check = () => {
      if (!done()) return;
      finish();
      resolve();
    };
    const poll = setInterval(check, 20);
    changeWaiters.add(check);
  });
}

await core.start();

serve(
  {
    now: () => nowMs(),
    state: () => ({ status, cursor: store.cursor(), queued: store.outbox.queuedCount(), ...stats }),
    commitLog: () => commitLog,
    resetStats: () => {
      commitLog.length = 0;
      Object.assign(stats, { framesIn: 0, rateLimited: 0, commits: 0, commitMs: 0, firstFrameAt: 0, liveAt: 0 });
    },
    waitLive: async (args) => {
      await until(() => status === 'live' && store.cursor() !== null, Number(args['timeoutMs'] ?? 30_000), 'live');
      return { at: nowMs() };
    },
    waitAcked: async (args) => {
      const seq = Number(args['seq']);
      await until(() => stats.acked >= seq, Number(args['timeoutMs'] ?? 120_000), `ack of ${seq}`);
      return { at: stats.ackedAt, ...stats };
    },
    disconnect: async () => {
      await connection?.stop();
      return { status };
    },
    reconnect: () => {
      stats.liveAt = 0;
      const at = nowMs();
      connection?.start();
      return { at };
    },
    networkBack: () => {
      core.networkChanged(true);
      return { at: nowMs(), status };
    },
    queue: async (args) => {
      const to = args['to'] as string[];
      const count = Number(args['count']);
      const started = performance.now();
      for (let i = 0; i < count; i++) core.sendToWaId(to[i % to.length]!, `flush-${String(i).padStart(6, '0')}`);
      return { ms: performance.now() - started, queued: store.outbox.queuedCount() };
    },
    /** The agent types replies while offline: `count` texts round-robin over every conversation, through the contract. */
    queueText: async (args) => {
      const listed = await service.call('conversations.list', { filter: 'all', limit: 500, offset: 0 });
      if (!listed.ok) throw new Error(`conversations.list: ${listed.error.message}`);
      const conversations = (listed.value as { items: { conversation: { id: string; customer: { waId: string } } }[] }).items.map((s) => s.conversation);
      const count = Number(args['count']);
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const target = conversations[i % conversations.length]!;
        const sent = await service.call('messages.sendText', { conversationId: target.id, body: `flush-${String(i).padStart(6, '0')}` });
        if (!sent.ok) throw new Error(`messages.sendText: ${sent.error.message}`);
      }
      return { ms: performance.now() - started, queued: store.outbox.queuedCount(), waIds: conversations.map((c) => c.customer.waId) };
    },
    /** How overdue the outbox's next message is (negative: overdue), and how many are still queued. */
    outboxState: () => {
      const due = store.outbox.nextDue();
      return {
        queued: store.outbox.queuedCount(),
        dueInMs: due === null ? null : due - Date.now(),
        sendsInFlight: sendsInFlight.size,
        status,
        rateLimited: stats.rateLimited,
      };
    },
    waitQueuedZero: async (args) => {
      const deadline = Date.now() + Number(args['timeoutMs'] ?? 60_000);
      while (store.outbox.queuedCount() > 0) {
        if (Date.now() > deadline) return { at: null, queued: store.outbox.queuedCount() };
        await sleep(20);
      }
      return { at: nowMs(), queued: 0 };
    },
    track: (args) => {
      prefix = String(args['prefix']);
      committedAt.clear();
    },
    call: async (args) => service.call(args['method'], args['input']),
    memory: () => process.memoryUsage(),
    /** Where the resident memory is, from /proc (Linux): anonymous (heaps, malloc) versus file-backed (code, mapped files). */
    memoryDetail: () => {
      const status = readFileSync('/proc/self/status', 'utf8');
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
      return { rssMb: kb('VmRSS'), anonMb: kb('RssAnon'), fileMb: kb('RssFile'), shmemMb: kb('RssShmem'), ...process.memoryUsage() };
    },
  },
  async () => {
    await core.stop();
    store.close();
  },
);
emit({ type: 'ready' });
