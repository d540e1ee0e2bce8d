// A console core in its own process, for tests that SIGKILL it: queues a batch of messages once, drains, reports.
//   node --import tsx console-child.ts --relay URL --token T --data DIR [--queue N --to WA_ID,WA_ID…] [--crash-after-commits K]
import { parseArgs } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createConsole } from '../create-console';
import { openLocalStore } from '../local-store';
import { memoryTokenStore } from '../session-service';

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

const store = openLocalStore(values.data!);
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
store.session.setRelayUrl(values.relay!);
const core = createConsole({ dataDir: values.data!, store, tokens: memoryTokenStore(values.token!) });
await core.start();

// Queue once per data folder, however often the process is killed and started again.
const queuedMarker = path.join(values.data!, 'test-queued');
if (values.queue !== undefined && !existsSync(queuedMarker)) {
  const recipients = values.to!.split(',');
  for (let i = 0; i < Number(values.queue); i++) core.sendToWaId(recipients[i % recipients.length]!, `msg-${String(i).padStart(4, '0')}`);
  writeFileSync(queuedMarker, '1');
  print({ type: 'queued', count: Number(values.queue) });
}
setInterval(() => print({ type: 'state', queued: store.outbox.queuedCount(), status: core.connectionState().status, cursor: store.cursor() }), 100);
