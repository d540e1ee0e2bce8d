// The console's events to whoever listens (the IPC bridge, the preview socket, the headless runner): typed by the contract.
import type { ConsoleEvent, EventPayload } from '../../shared/contract';

export type EventListener = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void;
export type Emit = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  readonly emit: Emit = (event, payload) => {
    for (const listener of this.listeners) listener(event, payload);
  };
}
