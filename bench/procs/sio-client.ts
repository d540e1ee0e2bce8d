// The peer's client: socket.io-client, validating and committing each packet through the console's LocalStore, then acking.
//   node --import tsx bench/procs/sio-client.ts --data DIR --url URL
import { io } from 'socket.io-client';
import { EventsFrame } from '../../src/shared/protocol';
import { openLocalStore } from '../../src/main/core/local-store';
import { emit, requiredArg, serve } from '../lib/child-side';
import { nowMs } from '../lib/clock';

const store = openLocalStore(requiredArg('data'));
const socket = io(requiredArg('url'), { transports: ['websocket'], reconnection: false, autoConnect: false });
let lastSeq = 0;
let committedAt = 0;
const waiters = new Set<() => void>();

// A replayed packet carries its recovery offset (a string) where a live one carries the ack callback.
socket.on('events', (frame: unknown, ack?: unknown) => {
  // The same schema the console checks its frames against.
  const parsed = EventsFrame.safeParse(frame);
  if (!parsed.success) {
    emit({ type: 'invalid', message: parsed.error.message.slice(0, 200) });
    return;
  }
  store.applyEvents(parsed.data.events);
  lastSeq = parsed.data.events[parsed.data.events.length - 1]!.seq;
  committedAt = nowMs();
  if (typeof ack === 'function') (ack as (seq: number) => void)(lastSeq);
  for (const waiter of [...waiters]) waiter();
});

socket.on('hello', () => emit({ type: 'primed' }));

const connected = () =>
  new Promise<boolean>((resolve, reject) => {
    socket.once('connect', () => resolve(socket.recovered));
    socket.once('connect_error', reject);
    socket.connect();
  });

serve(
  {
    connect: async () => ({ recovered: await connected() }),
    /** A dropped transport (not a goodbye), so the server keeps the session for recovery. */
    drop: () =>
      new Promise((resolve) => {
        socket.once('disconnect', (reason) => resolve({ reason }));
        socket.io.engine.close();
      }),
    reconnect: async () => {
      const at = nowMs();
      const recovered = await connected();
      return { at, recovered };
    },
    waitSeq: (args) =>
      new Promise((resolve, reject) => {
        const seq = Number(args['seq']);
        const timer = setTimeout(
          () => {
            waiters.delete(check);
            reject(new Error(`seq ${seq} not committed (at ${lastSeq})`));
          },
          Number(args['timeoutMs'] ?? 120_000),
        );
        const check = () => {
          if (lastSeq < seq) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve({ at: committedAt, lastSeq });
        };
        waiters.add(check);
        check();
      }),
    memory: () => process.memoryUsage(),
  },
  async () => {
    socket.close();
    store.close();
  },
);
emit({ type: 'ready' });
