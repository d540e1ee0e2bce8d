// In a plain browser (the web preview), provides the same window.branchline the Electron preload does,
// over the preview server's WebSocket. In Electron the preload has set it already and this does nothing.
import { createBranchlineApi, type BridgeTransport } from '../../shared/bridge-client';
import type { ConsoleEvent, WireResult } from '../../shared/contract';
import { parseBridgeFrame } from '../../shared/bridge-frames';

interface Pending {
  resolve: (result: WireResult<unknown>) => void;
  frame: string;
}

export function installWebBridge(win: Window & typeof globalThis): boolean {
  if ('branchline' in win || !/^https?:$/.test(win.location.protocol)) return false;
  const endpoint = `${win.location.protocol === 'https:' ? 'wss' : 'ws'}://${win.location.host}/bridge`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<ConsoleEvent, Set<(payload: unknown) => void>>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;

  const connect = () => {
    const ws = new win.WebSocket(endpoint);
    socket = ws;
    ws.addEventListener('open', () => {
      retryMs = 250;
      for (const call of pending.values()) ws.send(call.frame);
    });
    ws.addEventListener('message', (message: MessageEvent<string>) => {
      const frame = typeof message.data === 'string' ? parseBridgeFrame(message.data) : null;
      if (frame?.type === 'result') {
        pending.get(frame.id)?.resolve(frame.result);
        pending.delete(frame.id);
      } else if (frame?.type === 'event') {
        listeners.get(frame.event)?.forEach((listener) => listener(frame.payload));
      }
    });
    ws.addEventListener('close', () => {
      // Calls in flight cannot be known to have run: fail them; the UI decides whether to retry.
      for (const [id, call] of pending) {
        call.resolve({ ok: false, error: { code: 'offline', message: 'lost the connection to the console service' } });
        pending.delete(id);
      }
      win.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    });
  };

  const transport: BridgeTransport = {
    invoke: (method, input) =>
      new Promise((resolve) => {
        const id = nextId++;
        const frame = JSON.stringify({ type: 'call', id, method, input });
        pending.set(id, { resolve, frame });
        if (socket?.readyState === win.WebSocket.OPEN) socket.send(frame);
      }),
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };

  connect();
  Object.defineProperty(win, 'branchline', { value: createBranchlineApi(transport), writable: false, configurable: false });
  return true;
}
