// The console service: the contract's implementation (src/shared/contract.ts). Parses every input once, whatever
// transport it came by, runs the handler the small services provide, and answers a WireResult; adapters only forward.
import type { z } from 'zod';
import { CONSOLE_METHODS, isConsoleMethod, type ConsoleMethod, type MethodOutput, type WireFailure, type WireResult } from '../../shared/contract';
import { describeIssues } from '../../shared/protocol';
import type { EventBus, EventListener } from './event-bus';
import { ServiceError } from './service-types';
import { storageErrorOf } from './domain/storage-error';

/** A method's input as the handler receives it: already parsed (defaults applied, strings trimmed). */
export type HandlerInput<M extends ConsoleMethod> = z.output<(typeof CONSOLE_METHODS)[M]['input']>;
export type Handler<M extends ConsoleMethod> = (input: HandlerInput<M>) => Promise<MethodOutput<M>>;

/** One handler per contract method, each checked by the compiler against the method's schemas. */
export type ConsoleHandlers = { [M in ConsoleMethod]: Handler<M> };

/** The handlers one small service provides (e.g. `HandlersOf<'session.get' | 'session.signIn'>`). */
export type HandlersOf<M extends ConsoleMethod> = { [K in M]: Handler<K> };

type Log = (event: string, fields?: Record<string, unknown>) => void;

export class ConsoleService {
  constructor(
    private readonly handlers: ConsoleHandlers,
    private readonly bus: EventBus,
    private readonly log: Log = () => {},
  ) {}

  on(listener: EventListener): () => void {
    return this.bus.on(listener);
  }

  /** Parses the input against the contract, runs the method, and answers a WireResult; never throws. */
  async call(method: unknown, input: unknown): Promise<WireResult<unknown>> {
    if (!isConsoleMethod(method)) return { ok: false, error: { code: 'unknown_method', message: 'no such method' } };
    const parsed = CONSOLE_METHODS[method].input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'invalid_input', message: `${method}: ${describeIssues(parsed.error)}` } };
    try {
      return { ok: true, value: await this.run(method, parsed.data) };
    } catch (error) {
      return { ok: false, error: this.failure(method, error) };
    }
  }

  private run<M extends ConsoleMethod>(method: M, input: HandlerInput<M>): Promise<MethodOutput<M>> {
    const handler: Handler<M> = this.handlers[method];
    return handler(input);
  }

  private failure(method: ConsoleMethod, error: unknown): WireFailure {
    if (error instanceof ServiceError) return { code: error.code, message: error.message };
    // A full or read-only disk is the agent's to know about (the UI has words for it), not an "internal" bug.
    const storage = storageErrorOf(error);
    if (storage !== null) {
      this.log('service.storage_failed', { method, code: storage.code });
      return storage;
    }
    this.log('service.failed', { method, error: error instanceof Error ? error.message : String(error) });
    return { code: 'internal', message: `${method} failed; the details are in the log` };
  }
}
