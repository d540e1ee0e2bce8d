// A real relay (sandbox on) in its own process, started through the test harness so the bench can write its store in bulk.
//   node --import tsx bench/procs/relay-host.ts --data DIR [--port N] [--token T] [--database postgres://…]
import { startTestRelay } from '../../src/relay/test-support/relay-harness';
import type { SqlRelayStore } from '../../src/relay/store/sql-relay-store';
import { arg, emit, requiredArg, serve } from '../lib/child-side';
import { exportFrames } from '../lib/frames';
import { writeInbound } from '../lib/generate';
import { seedForUi } from '../lib/ui-seed';
import { kickBody, postWebhook } from '../lib/webhook';

const logTail: string[] = [];
const token = arg('token');
const database = arg('database');
const relay = await startTestRelay({
  sandbox: true,
  dataDir: requiredArg('data'),
  port: Number(arg('port') ?? '0'),
  ...(token !== undefined && { token }),
  // The CLI's default level; lines are kept in a short ring instead of a pipe.
  env: {
    RELAY_LOG_LEVEL: 'info',
    ...(database !== undefined && { RELAY_DATABASE_URL: database }),
    // Every webhook comes from 127.0.0.1 here, where Meta posts from many addresses: a relay that falls behind must show
    // as latency, not as the per-address cap's 429.
    RELAY_LIMIT_CONNECTIONS_PER_ADDRESS: '100000',
  },
  overrides: {
    writeLog: (line) => {
      logTail.push(line);
      if (logTail.length > 50) logTail.shift();
    },
  },
});
const store = relay.relay.store as SqlRelayStore;
let kicks = 0;

serve(
  {
    generate: async (args) => {
      const started = performance.now();
      const messages = await writeInbound(store, {
        messages: Number(args['messages']),
        perBatch: Number(args['perBatch'] ?? 1000),
        customersPerBatch: Number(args['customersPerBatch'] ?? 50),
        customers: Number(args['customers'] ?? 200),
        tag: String(args['tag'] ?? 'g'),
      });
      return { messages, head: await store.head(), ms: performance.now() - started };
    },
    /** A real signed webhook that changes nothing visible but wakes the sessions (the hub is notified only by the relay's own paths). */
    kick: async () => {
      await postWebhook(relay.relay.url, kickBody(`wamid.kick.${++kicks}`));
      return { head: await store.head() };
    },
    head: async () => store.head(),
    seedUi: async (args) =>
      seedForUi(store, {
        conversations: Number(args['conversations']),
        bigMessages: Number(args['bigMessages']),
        bigName: String(args['bigName']),
        file: String(args['file']),
      }),
    exportFrames: async (args) => exportFrames(store, String(args['file'])),
    outboundTotal: (args) => (args['to'] as string[]).reduce((sum, to) => sum + (relay.relay.sandbox?.outbound(to).length ?? 0), 0),
    memory: () => process.memoryUsage(),
    logTail: () => logTail.slice(),
  },
  async () => {
    await relay.stop();
  },
);
emit({ type: 'ready', url: relay.relay.url, port: relay.relay.port, token: relay.token });
