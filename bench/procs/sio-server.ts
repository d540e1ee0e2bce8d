// The peer: a Socket.IO v4 server (connection state recovery on) streaming the same relay events from its own SQLite log.
//   node --import tsx bench/procs/sio-server.ts --data DIR
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { openSqliteRelayStore } from '../../src/relay/store/relay-db';
import { emit, requiredArg, serve } from '../lib/child-side';
import { writeInbound } from '../lib/generate';

const EVENTS_PER_PACKET = 500;
const store = openSqliteRelayStore(requiredArg('data')).store;
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  connectionStateRecovery: { maxDisconnectionDuration: 5 * 60_000, skipMiddlewares: true },
  maxHttpBufferSize: 4 * 1024 * 1024,
});
let current: Socket | null = null;
let lastSocketId: string | null = null;
io.on('connection', (socket) => {
  current = socket;
  lastSocketId = socket.id;
  emit({ type: 'connected', recovered: socket.recovered });
  socket.on('disconnect', (reason) => emit({ type: 'disconnected', reason }));
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));

/** Events as objects, as a Socket.IO server would emit them (it serialises them itself). */
async function packet(after: number): Promise<{ events: { seq: number; event: unknown }[]; last: number } | null> {
  const rows = await store.readEvents(after, EVENTS_PER_PACKET);
  if (rows.length === 0) return null;
  return { events: rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.json) as unknown })), last: rows[rows.length - 1]!.seq };
}

serve(
  {
    generate: async (args) => {
      const messages = await writeInbound(store, {
        messages: Number(args['messages']),
        perBatch: Number(args['perBatch'] ?? 1000),
        customersPerBatch: Number(args['customersPerBatch'] ?? 50),
        customers: Number(args['customers'] ?? 200),
        tag: String(args['tag'] ?? 's'),
      });
      return { messages, head: await store.head() };
    },
    /** Live ingest: every packet emitted with an ack; at most `window` events unacknowledged, like the relay. */
    stream: async (args) => {
      const socket = current;
      if (socket === null) throw new Error('no client connected');
      const window = Number(args['window'] ?? 2000);
      const head = await store.head();
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        let sent = 0;
        let acked = 0;
        let pumping = false;
        const pump = async () => {
          if (pumping) return;
          pumping = true;
          try {
            while (sent < head && sent - acked < window) {
              const next = await packet(sent);
              if (next === null) break;
              sent = next.last;
              socket.emit('events', { type: 'events', events: next.events }, (ackedSeq: number) => {
                acked = Math.max(acked, ackedSeq);
                if (acked >= head) resolve();
                else void pump();
              });
            }
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          } finally {
            pumping = false;
          }
        };
        void pump();
      });
      return { ms: performance.now() - started, head };
    },
    /** A packet without ack, so the client holds an offset to recover from (Socket.IO recovers only from a known offset). */
    prime: () => {
      if (current === null) throw new Error('no client connected');
      current.emit('hello', { at: Date.now() });
    },
    /** While the client is away: every event emitted to its room, without acks (Socket.IO buffers only those for recovery). */
    emitToAbsent: async () => {
      if (lastSocketId === null) throw new Error('no client was ever connected');
      let after = 0;
      let packets = 0;
      for (let next = await packet(after); next !== null; next = await packet(after)) {
        io.to(lastSocketId).emit('events', { type: 'events', events: next.events });
        after = next.last;
        packets += 1;
      }
      return { packets, head: after };
    },
    memory: () => process.memoryUsage(),
  },
  async () => {
    await io.close();
    await store.close();
  },
);
emit({ type: 'ready', port: (http.address() as AddressInfo).port });
