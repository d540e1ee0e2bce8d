// The dispatcher: handlers typed by the contract (a drifting handler does not compile), inputs parsed once before any
// handler runs, and refusals answered as codes from the one union, never a thrown error or a leaked message.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MethodOutput } from '../../shared/contract';
import { ConsoleService, type ConsoleHandlers, type Handler, type HandlerInput, type HandlersOf } from './console-service';
import { EventBus } from './event-bus';
import { ServiceError } from './service-types';

describe('handlers are checked against the contract by the compiler', () => {
  it('types each handler from its method’s schemas', () => {
    expectTypeOf<HandlerInput<'messages.sendText'>>().toEqualTypeOf<{ conversationId: string; body: string; replyToId?: string | undefined }>();
    expectTypeOf<ReturnType<Handler<'drafts.get'>>>().toEqualTypeOf<Promise<MethodOutput<'drafts.get'>>>();

    const wrongInput: HandlersOf<'messages.sendText'> = {
      // @ts-expect-error a handler whose input drifted from messages.sendText's schema does not compile
      'messages.sendText': async (input: { totallyWrong: boolean }) => ({ message: input as never }),
    };
    const wrongOutput: HandlersOf<'drafts.get'> = {
      // @ts-expect-error a handler whose answer drifted from drafts.get's output does not compile
      'drafts.get': async () => ({ draft: 'the field is called text' }),
    };
    // @ts-expect-error a service that leaves a contract method without a handler does not compile
    const missing: ConsoleHandlers = { ...wrongInput, ...wrongOutput };
    expect([wrongInput, wrongOutput, missing]).toHaveLength(3);
  });
});

/** Every method answers through `handler`, recording what it was given. */
function serviceWith(handler: (method: string, input: unknown) => Promise<unknown>): { service: ConsoleService; logged: string[] } {
  const handlers = new Proxy({} as ConsoleHandlers, { get: (_target, method) => (input: unknown) => handler(String(method), input) });
  const logged: string[] = [];
  return { service: new ConsoleService(handlers, new EventBus(), (event, fields) => logged.push(JSON.stringify({ event, ...fields }))), logged };
}

describe('the dispatcher', () => {
  it('parses the input before any handler runs, and hands the handler the parsed value', async () => {
    const seen: unknown[] = [];
    const { service } = serviceWith(async (_m, input) => (seen.push(input), { ok: true }));
    expect(await service.call('messages.sendText', { conversationId: 'c1', body: 42 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await service.call('messages.nuke', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(seen).toEqual([]);
    await service.call('messages.sendText', { conversationId: 'c1', body: '  hello  ', extra: 'dropped' });
    expect(seen).toEqual([{ conversationId: 'c1', body: 'hello' }]);
  });

  it('answers a refusal with its code and words, a storage fault with its code, and anything else as internal', async () => {
    const failures: unknown[] = [
      new ServiceError('template_required', 'Only a template can be sent.'),
      Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
      new Error('secret detail: customer 972541234567 wrote "my PIN is 1234"'),
    ];
    const { service, logged } = serviceWith(async () => {
      throw failures.shift();
    });
    const call = () => service.call('drafts.get', { conversationId: 'c1' });
    expect(await call()).toEqual({ ok: false, error: { code: 'template_required', message: 'Only a template can be sent.' } });
    expect(await call()).toMatchObject({ ok: false, error: { code: 'storage_full' } });
    const internal = await call();
    expect(internal).toEqual({ ok: false, error: { code: 'internal', message: 'drafts.get failed; the details are in the log' } });
    expect(logged.at(-1)).toContain('service.failed');
  });
});
