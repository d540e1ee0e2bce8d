// A console core in its own process, for tests that SIGKILL it: queues a batch of messages once, drains, reports.
//   node --import tsx console-child.ts --relay URL --token T --data DIR [--queue N --to WA_ID,WA_ID…] [--crash-after-commits K]
import { parseArgs } from 'node:util';
import { ConsoleService, type TokenStore } from '../console-service';
import { openLocalDatabase } from '../local-db';
import { LocalStore } from '../local-store';
import { RelayConnection } from '../relay-connection';
import { createRelayMediaClient } from '../relay-media-client';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    relay: { type: 'string' },
    token: { type: 'string' },
    data: { type: 'string' },
    queue: { type: 'string' },
    to: { type: 'string' },
    'crash-after-commits': { type: 'string' },
  },
});
const print = (record: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(record)}\n`);

const store = new LocalStore(openLocalDatabase(values.data!));
const crashAfter = values['crash-after-commits'] === undefined ? null : Number(values['crash-after-commits']);
if (crashAfter !== null) {
  // Die the hard way right after a batch is committed and before the connection can ack it.
  let commits = 0;
  const apply = store.applyEvents.bind(store);
  store.applyEvents = (events) => {
    const changes = apply(events);
    if (++commits >= crashAfter) process.kill(process.pid, 'SIGKILL');
    return changes;
  };
}
store.setMeta('relay_url', values.relay!);
let saved: string | null = values.token!;
const tokens: TokenStore = { load: async () => saved, save: async (t) => void (saved = t), clear: async () => void (saved = null) };
const service = new ConsoleService({ store, tokens, media: createRelayMediaClient(), connect: (options) => new RelayConnection(options) });
await service.start();

if (values.queue !== undefined && store.meta('test.queued') === null) {
  const recipients = values.to!.split(',');
  for (let i = 0; i < Number(values.queue); i++) await service.sendToWaId(recipients[i % recipients.length]!, `msg-${String(i).padStart(4, '0')}`);
  store.setMeta('test.queued', '1');
  print({ type: 'queued', count: Number(values.queue) });
}
setInterval(() => print({ type: 'state', queued: store.queuedCount(), status: service.connectionState().status, cursor: store.cursor() }), 100);
