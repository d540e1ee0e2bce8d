// Builds window.branchline for the sandboxed preload: the contract over ipcRenderer, with errors that keep their code.
//
// Why not contextBridge.exposeInMainWorld(api) with functions that reject with a ConsoleError: an Error
// crossing the context bridge is rebuilt as a bare `Error(message)` in the page, so its `code` is lost and
// the UI could not tell "template_required" from "offline". Instead the isolated world keeps ipcRenderer
// behind two narrow functions (invoke a contract method, subscribe to a contract event), and a small
// self-contained function, run in the page's world by contextBridge.executeInMainWorld, builds the API
// there, so its rejections are the page's own errors with their code. exposeInMainWorld stays as the
// fallback where executeInMainWorld does not exist.
import { createBranchlineApi, type BridgeTransport } from '../shared/bridge-client';
import { CONSOLE_EVENTS, CONSOLE_METHODS, isConsoleEvent, isConsoleMethod, type ConsoleEvent, type WireResult } from '../shared/contract';

/** Channel names; src/main/ipc-bridge.ts spells them the same way. */
export { eventChannel, methodChannel } from '../shared/ipc-channels';
import { eventChannel, methodChannel } from '../shared/ipc-channels';

/** The parts of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
  executeInMainWorld?(script: { func: (...args: never[]) => unknown; args?: unknown[] }): unknown;
}

function isWireResult(value: unknown): value is WireResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (candidate.ok === true) return 'value' in candidate;
  return candidate.ok === false && typeof candidate.error?.code === 'string' && typeof candidate.error.message === 'string';
}

/** The contract over ipcRenderer. Listeners get the payload only, never the IpcRendererEvent (it holds `sender`). */
export function ipcTransport(ipc: IpcRendererLike): BridgeTransport {
  return {
    async invoke(method: string, input: unknown): Promise<WireResult<unknown>> {
      if (!isConsoleMethod(method)) return { ok: false, error: { code: 'unknown_method', message: 'no such method' } };
      try {
        const answer = await ipc.invoke(methodChannel(method), input);
        return isWireResult(answer) ? answer : { ok: false, error: { code: 'internal', message: `${method}: the console service answered nothing usable` } };
      } catch (error) {
        // Structured clone refused the input (a function, a DOM node...): the caller's mistake, not an outage.
        if (error instanceof Error && /could not be cloned/i.test(error.message))
          return { ok: false, error: { code: 'invalid_input', message: `${method}: the input must be plain data` } };
        // No handler (the main process is still starting, or shutting down) or a broken channel.
        return { ok: false, error: { code: 'unavailable', message: `${method}: the console service is not available` } };
      }
    },
    subscribe(event: ConsoleEvent, listener: (payload: unknown) => void): () => void {
      if (!isConsoleEvent(event)) throw new TypeError('unknown event');
      const channel = eventChannel(event);
      const forward = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  };
}

/**
 * Runs in the page's main world, where contextBridge.executeInMainWorld serializes it: it must use
 * nothing from outside its own body (no imports, no helpers), and it receives everything as arguments.
 * Mirrors createBranchlineApi in src/shared/bridge-client.ts (the test holds them to the same answers).
 */
export function installBranchlineApi(
  key: string,
  methods: readonly string[],
  events: readonly string[],
  invoke: (method: string, input: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>,
  subscribe: (event: string, listener: (payload: unknown) => void) => () => void,
): void {
  class ConsoleError extends Error {
    readonly code: string;
    constructor(code: string, message: string) {
      super(message);
      this.name = 'ConsoleError';
      this.code = code;
    }
  }
  const api: Record<string, unknown> = {};
  for (const method of methods) {
    api[method] = async (input: unknown) => {
      const result = await invoke(method, input ?? {});
      if (result.ok) return result.value;
      throw new ConsoleError(result.error?.code ?? 'internal', result.error?.message ?? 'the call failed');
    };
  }
  api['on'] = (event: string, listener: (payload: unknown) => void): (() => void) => {
    if (!events.includes(event)) throw new ConsoleError('invalid_input', `unknown event '${String(event).slice(0, 64)}'`);
    if (typeof listener !== 'function') throw new ConsoleError('invalid_input', 'listener must be a function');
    const unsubscribe = subscribe(event, (payload) => listener(payload));
    return () => unsubscribe();
  };
  Object.defineProperty(globalThis, key, { value: Object.freeze(api), enumerable: true, writable: false, configurable: false });
}

/** Puts window.branchline in the page. Returns how, for the log and the tests. */
export function exposeBranchline(contextBridge: ContextBridgeLike, ipc: IpcRendererLike, key = 'branchline'): 'main-world' | 'exposed' {
  const transport = ipcTransport(ipc);
  if (typeof contextBridge.executeInMainWorld === 'function') {
    const invoke = (method: string, input: unknown) => transport.invoke(method, input);
    const subscribe = (event: string, listener: (payload: unknown) => void) => {
      if (!isConsoleEvent(event)) throw new TypeError('unknown event');
      return transport.subscribe(event, listener);
    };
    contextBridge.executeInMainWorld({
      func: installBranchlineApi as (...args: never[]) => unknown,
      args: [key, Object.keys(CONSOLE_METHODS), Object.keys(CONSOLE_EVENTS), invoke, subscribe],
    });
    return 'main-world';
  }
  contextBridge.exposeInMainWorld(key, createBranchlineApi(transport));
  return 'exposed';
}
