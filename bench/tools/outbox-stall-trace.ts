// Traces the OutboxDrainer through a flush that triggers rate limiting: its last kicks, runs and timer decisions, and
// whether it stopped with messages due and nothing in flight (it did before commit ce997bc; see docs/performance.md).
//   npx tsx bench/tools/outbox-stall-trace.ts [MESSAGES=1000]
import path from 'node:path';
import { rmSync } from 'node:fs';
import { ConsoleService } from '../../src/main/core/console-service';
import { openLocalDatabase } from '../../src/main/core/local-db';
import { LocalStore } from '../../src/main/core/local-store';
import { RelayConnection } from '../../src/main/core/relay-connection';
import { createRelayMediaClient } from '../../src/main/core/relay-media-client';
import { sleep } from '../lib/clock';
import { customerWaId } from '../lib/generate';
import { startRelayHost, tempDir } from '../lib/stack';
import { inboundBody, postWebhook } from '../lib/webhook';

/** The drainer's private members this trace wraps (read-only observation; behaviour is unchanged). */
interface DrainerInternals {
  inFlight: Set<string>;
  kick(): void;
  runOnce(): void;
  scheduleNextDue(): void;
}

const messages = Number(process.argv[2] ?? 1000);
const dir = tempDir('stall-trace');
const { relay, url, token } = await startRelayHost(path.join(dir, 'relay'));
const store = new LocalStore(openLocalDatabase(path.join(dir, 'console')));
store.setMeta('relay_url', url);
let saved: string | null = token;
const service = new ConsoleService({
  store,
  tokens: { load: async () => saved, save: async (t) => void (saved = t), clear: async () => void (saved = null) },
  media: createRelayMediaClient(),
  connect: (options) => new RelayConnection(options),
});
const t0 = Date.now();
const trace: string[] = [];
const at = () => `${String(Date.now() - t0).padStart(6)} ms`;
const drainer = (service as unknown as { drainer: DrainerInternals }).drainer;
const kick = drainer.kick.bind(drainer);
const runOnce = drainer.runOnce.bind(drainer);
const schedule = drainer.scheduleNextDue.bind(drainer);
drainer.kick = () => {
  trace.push(`${at()} kick`);
  kick();
};
drainer.runOnce = () => {
  const before = drainer.inFlight.size;
  runOnce();
  trace.push(`${at()}   runOnce: in flight ${before} → ${drainer.inFlight.size}`);
};
drainer.scheduleNextDue = () => {
  const due = store.nextOutboxDue();
  const wait = due === null ? null : due - Date.now();
  const when = wait === null ? 'nothing queued' : wait < -1e9 ? 'a message never tried (due at 0)' : `${wait} ms`;
  trace.push(`${at()}   scheduleNextDue: next due ${when}${wait !== null && wait <= 0 ? ' → no timer set' : ''}, in flight ${drainer.inFlight.size}`);
  schedule();
};

try {
  await service.start();
  for (let c = 0; c < 50; c++)
    await postWebhook(url, inboundBody({ wamid: `wamid.trace-${c}`, from: customerWaId(9000 + c), name: `Trace ${c}`, text: 'Hello' }));
  await sleep(1_000);
  const listed = await service.call('conversations.list', { filter: 'all', limit: 100, offset: 0 });
  if (!listed.ok) throw new Error(listed.error.message);
  const ids = (listed.value as { items: { conversation: { id: string } }[] }).items.map((s) => s.conversation.id);
  for (let i = 0; i < messages; i++) await service.call('messages.sendText', { conversationId: ids[i % ids.length], body: `trace-${i}` });
  let last = -1;
  for (let idle = 0; idle < 5 && store.queuedCount() > 0;) {
    await sleep(1_000);
    const queued = store.queuedCount();
    idle = queued === last ? idle + 1 : 0;
    last = queued;
  }
  const due = store.nextOutboxDue();
  console.log(trace.slice(-14).join('\n'));
  console.log(
    store.queuedCount() === 0
      ? `\nno stall this time: all ${messages} left the outbox`
      : `\nSTALLED: ${store.queuedCount()} of ${messages} still queued, next due ${due === null ? '—' : `${Date.now() - due} ms ago`}, ${drainer.inFlight.size} in flight, nothing sent for 5 s`,
  );
} finally {
  await service.stop();
  store.close();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
