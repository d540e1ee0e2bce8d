// A raw protocol-v1 WebSocket to the relay, for sending what no real console would and reading exactly what comes back.
import WebSocket from 'ws';

export interface AgentSocket {
  readonly ws: WebSocket;
  /** Every frame received, parsed (non-JSON frames kept as {raw}). */
  readonly frames: Record<string, unknown>[];
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(text: string | Buffer, binary?: boolean): void;
  /** The first frame (old or new) matching, or null at the deadline. */
  next(match: (frame: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown> | null>;
  /** Sends a request and returns its response frame (or an error frame that came instead, or null). */
  request(id: string, method: string, params: unknown): Promise<Record<string, unknown> | null>;
  close(): Promise<void>;
}

export function openAgentSocket(
  relayUrl: string,
  /** answerPings: behave like a live console that is idle (otherwise the relay ends a slow test's socket as dead, 4010). */
  options: { token?: string | null; device?: string | null; since?: string | null; protocol?: string; answerPings?: boolean } = {},
): Promise<AgentSocket> {
  const query = new URLSearchParams();
  if (options.device !== null) query.set('device', options.device ?? 'faults-device');
  if (options.since !== undefined && options.since !== null) query.set('since', options.since);
  const url = `${relayUrl.replace(/^http/, 'ws')}/v1/agent?${query.toString()}`;
  const ws = new WebSocket(url, [options.protocol ?? 'branchline.v1'], {
    headers: options.token === null || options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
    perMessageDeflate: false,
    maxPayload: 4 * 1024 * 1024,
  });
  const frames: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    const text = data.toString();
    try {
      const frame = JSON.parse(text) as Record<string, unknown>;
      frames.push(frame);
      if (options.answerPings === true && frame['type'] === 'ping' && ws.readyState === WebSocket.OPEN) ws.send('{"type":"pong"}');
    } catch {
      frames.push({ raw: text });
    }
    for (const w of [...waiters]) w();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  void closed.then(() => [...waiters].forEach((w) => w()));
  const socket: AgentSocket = {
    ws,
    frames,
    closed,
    send(text, binary = false) {
      if (ws.readyState === WebSocket.OPEN) ws.send(text, { binary });
    },
    next(match, timeoutMs = 5_000) {
      return new Promise((resolve) => {
        let seen = 0;
        const check = () => {
          for (; seen < frames.length; seen++) if (match(frames[seen]!)) return done(frames[seen]!);
          if (ws.readyState === WebSocket.CLOSED) done(null);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        const done = (value: Record<string, unknown> | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        };
        waiters.add(check);
        check();
      });
    },
    async request(id, method, params) {
      const already = frames.length;
      socket.send(JSON.stringify({ type: 'req', id, method, params, deadlineMs: 10_000 }));
      return socket.next((f) => (f['type'] === 'res' && f['id'] === id) || (f['type'] === 'error' && frames.indexOf(f) >= already));
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.terminate();
      await closed;
    },
  };
  return new Promise((resolve) => {
    // Resolve once the hello came, or the socket closed (refused handshakes are what some tests want to see).
    const settle = () => resolve(socket);
    ws.once('close', settle);
    const onHello = () => {
      if (frames.some((f) => f['type'] === 'hello')) {
        ws.off('message', onHello);
        settle();
      }
    };
    ws.on('message', onHello);
  });
}
