import { describe, expect, it } from 'vitest';
import { createBranchlineApi, type BridgeTransport } from './bridge-client';
import { CONSOLE_METHODS, ConsoleError } from './contract';

function fakeTransport(answer: (method: string, input: unknown) => unknown) {
  const calls: { method: string; input: unknown }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const transport: BridgeTransport = {
    invoke: async (method, input) => {
      calls.push({ method, input });
      return answer(method, input) as never;
    },
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  return { transport, calls, fire: (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload)) };
}

describe('branchline api', () => {
  it('has exactly one function per contract method, plus on', () => {
    const api = createBranchlineApi(fakeTransport(() => ({ ok: true, value: null })).transport) as unknown as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...Object.keys(CONSOLE_METHODS), 'on'].sort());
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('resolves the value, and rejects refusals as ConsoleError with the code', async () => {
    const { transport, calls } = fakeTransport((method) =>
      method === 'settings.get' ? { ok: true, value: { theme: 'dark' } } : { ok: false, error: { code: 'offline', message: 'not connected' } },
    );
    const api = createBranchlineApi(transport);
    await expect(api['settings.get']({})).resolves.toEqual({ theme: 'dark' });
    const refusal = api['connection.retryNow']({}).catch((e: unknown) => e);
    expect(await refusal).toBeInstanceOf(ConsoleError);
    expect(await refusal).toMatchObject({ code: 'offline', message: 'not connected' });
    expect(calls.map((c) => c.method)).toEqual(['settings.get', 'connection.retryNow']);
  });

  it('delivers event payloads to listeners until they unsubscribe, and refuses unknown events', () => {
    const { transport, fire } = fakeTransport(() => ({ ok: true, value: null }));
    const api = createBranchlineApi(transport);
    const seen: unknown[] = [];
    const off = api.on('sync.progress', (p) => seen.push(p));
    fire('sync.progress', { phase: 'syncing', done: 1, total: 2 });
    off();
    fire('sync.progress', { phase: 'idle', done: 2, total: 2 });
    expect(seen).toEqual([{ phase: 'syncing', done: 1, total: 2 }]);
    expect(() => api.on('ipc.raw' as never, () => {})).toThrow(ConsoleError);
  });
});
