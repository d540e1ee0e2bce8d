// Builds `window.branchline` from the contract over any transport (Electron IPC in the preload, a WebSocket in the web preview).
import { CONSOLE_METHODS, ConsoleError, isConsoleEvent, type BranchlineApi, type ConsoleEvent, type EventPayload, type WireResult } from './contract';

export interface BridgeTransport {
  invoke(method: string, input: unknown): Promise<WireResult<unknown>>;
  /** Delivers only the payload; returns an unsubscribe. */
  subscribe(event: ConsoleEvent, listener: (payload: unknown) => void): () => void;
}

/** One function per contract method (resolving the value or rejecting with a ConsoleError) and `on`. */
export function createBranchlineApi(transport: BridgeTransport): BranchlineApi {
  const api: Record<string, unknown> = {};
  for (const method of Object.keys(CONSOLE_METHODS)) {
    api[method] = async (input: unknown) => {
      const result = await transport.invoke(method, input ?? {});
      if (!result.ok) throw new ConsoleError(result.error.code, result.error.message);
      return result.value;
    };
  }
  api['on'] = <E extends ConsoleEvent>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    if (!isConsoleEvent(event)) throw new ConsoleError('invalid_input', `unknown event '${String(event).slice(0, 64)}'`);
    if (typeof listener !== 'function') throw new ConsoleError('invalid_input', 'listener must be a function');
    return transport.subscribe(event, (payload) => listener(payload as EventPayload<E>));
  };
  return Object.freeze(api) as unknown as BranchlineApi;
}
