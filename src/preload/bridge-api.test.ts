import { describe, expect, it } from 'vitest';
import { createBranchlineApi } from '../shared/bridge-client';
import { CONSOLE_METHODS, type BranchlineApi } from '../shared/contract';
import { exposeBranchline, ipcTransport, type ContextBridgeLike, type IpcRendererLike } from './bridge-api';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** ipcRenderer as the preload sees it: invoke answers through `respond`, `deliver` plays the main process sending an event. */
function fakeIpc(respond: (channel: string, input: unknown) => unknown = () => ({ ok: true, value: null })) {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push({ channel, args });
      return respond(channel, args[0]);
    },
    on: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(channel, set);
    },
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const deliver = (channel: string, payload: unknown) => listeners.get(channel)?.forEach((l) => l({ sender: 'the IpcRendererEvent', ports: [] }, payload));
  const count = (channel: string) => listeners.get(channel)?.size ?? 0;
  return { ipc, invoked, deliver, count };
}

// The installed property is non-configurable, as in the page: each test installs under a key of its own.
let keyCounter = 0;

/**
 * contextBridge with executeInMainWorld as Electron does it: the function is serialized (its source
 * text, no closure) and run elsewhere with the arguments. A function that reaches outside itself fails here.
 */
function fakeContextBridge(options: { mainWorld: boolean }) {
  const exposed = new Map<string, unknown>();
  const bridge: ContextBridgeLike = {
    exposeInMainWorld: (key, api) => void exposed.set(key, api),
    ...(options.mainWorld && {
      executeInMainWorld: ({ func, args = [] }: { func: (...args: never[]) => unknown; args?: unknown[] }) => {
        const revived = new Function(`return (${func.toString()});`)() as (...a: unknown[]) => unknown;
        return revived(...args);
      },
    }),
  };
  return { bridge, exposed };
}

function install(respond?: (channel: string, input: unknown) => unknown) {
  const fake = fakeIpc(respond);
  const { bridge } = fakeContextBridge({ mainWorld: true });
  const key = `__branchline_test_${keyCounter++}`;
  const how = exposeBranchline(bridge, fake.ipc, key);
  const api = (globalThis as Record<string, unknown>)[key] as BranchlineApi;
  return { ...fake, api, how, key };
}

describe('window.branchline from the preload', () => {
  it('is built in the main world, with exactly one function per contract method plus on, and nothing else', () => {
    const { api, how } = install();
    expect(how).toBe('main-world');
    expect(Object.keys(api).sort()).toEqual([...Object.keys(CONSOLE_METHODS), 'on'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(api).not.toHaveProperty('ipcRenderer');
    expect(api).not.toHaveProperty('invoke');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('cannot be replaced by the page', () => {
    const { api, key } = install();
    expect(() => {
      (globalThis as Record<string, unknown>)[key] = {};
    }).toThrow(TypeError);
    expect((globalThis as Record<string, unknown>)[key]).toBe(api);
  });

  it('invokes branchline:<method> with the input and resolves the value', async () => {
    const { api, invoked } = install((channel) => (channel === 'branchline:drafts.get' ? { ok: true, value: { text: 'hello' } } : { ok: true, value: null }));
    await expect(api['drafts.get']({ conversationId: 'c1' })).resolves.toEqual({ text: 'hello' });
    expect(invoked).toEqual([{ channel: 'branchline:drafts.get', args: [{ conversationId: 'c1' }] }]);
  });

  it('sends {} when a method is called without input', async () => {
    const { api, invoked } = install();
    await (api['session.get'] as unknown as () => Promise<unknown>)();
    expect(invoked[0]?.args).toEqual([{}]);
  });

  it('rejects a refusal with an error that keeps its code, in the page world', async () => {
    const { api } = install(() => ({ ok: false, error: { code: 'template_required', message: 'only a template can be sent' } }));
    const error = await api['messages.sendText']({ conversationId: 'c1', body: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ConsoleError', code: 'template_required', message: 'only a template can be sent' });
  });

  it('turns a missing handler into an unavailable refusal, and a malformed answer into internal', async () => {
    const { api: down } = install(() => {
      throw new Error("No handler registered for 'branchline:session.get'");
    });
    await expect(down['session.get']({})).rejects.toMatchObject({ code: 'unavailable' });
    const { api: odd } = install(() => ({ weird: true }));
    await expect(odd['session.get']({})).rejects.toMatchObject({ code: 'internal' });
  });

  it('turns input IPC cannot carry (a function) into invalid_input', async () => {
    const { api } = install(() => {
      throw new Error('An object could not be cloned.');
    });
    await expect(api['drafts.save']({ conversationId: 'c1', text: (() => 'x') as never })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('answers exactly as the web preview bridge does for the same transport answers', async () => {
    const answers: Record<string, unknown> = {
      'branchline:settings.get': { ok: true, value: { theme: 'dark' } },
      'branchline:connection.retryNow': { ok: false, error: { code: 'offline', message: 'not connected' } },
    };
    const { api, ipc } = install((channel) => answers[channel]);
    const preview = createBranchlineApi(ipcTransport(ipc));
    expect(Object.keys(api).sort()).toEqual(Object.keys(preview).sort());
    await expect(api['settings.get']({})).resolves.toEqual(await preview['settings.get']({}));
    const [ours, theirs] = await Promise.all([
      api['connection.retryNow']({}).catch((e: unknown) => e),
      preview['connection.retryNow']({}).catch((e: unknown) => e),
    ]);
    expect({ name: (ours as Error).name, code: (ours as { code: string }).code, message: (ours as Error).message }).toEqual({
      name: (theirs as Error).name,
      code: (theirs as { code: string }).code,
      message: (theirs as Error).message,
    });
  });
});

describe('window.branchline.on', () => {
  it('gives listeners the payload only, never the IpcRendererEvent, until they unsubscribe', () => {
    const { api, deliver, count } = install();
    const seen: unknown[][] = [];
    const off = api.on('sync.progress', (...args: unknown[]) => seen.push(args));
    deliver('branchline:event:sync.progress', { phase: 'syncing', done: 1, total: 2 });
    off();
    deliver('branchline:event:sync.progress', { phase: 'idle', done: 2, total: 2 });
    expect(seen).toEqual([[{ phase: 'syncing', done: 1, total: 2 }]]);
    expect(count('branchline:event:sync.progress')).toBe(0);
  });

  it('refuses unknown event names and non-function listeners with invalid_input', () => {
    const { api, count } = install();
    expect(() => api.on('ipc.raw' as never, () => {})).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => api.on('connection.changed', 'not a function' as never)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(count('branchline:event:ipc.raw')).toBe(0);
  });
});

describe('fallback without executeInMainWorld', () => {
  it('exposes the shared bridge client with exposeInMainWorld', async () => {
    const fake = fakeIpc(() => ({ ok: false, error: { code: 'offline', message: 'down' } }));
    const { bridge, exposed } = fakeContextBridge({ mainWorld: false });
    expect(exposeBranchline(bridge, fake.ipc)).toBe('exposed');
    const api = exposed.get('branchline') as BranchlineApi;
    expect(Object.keys(api).sort()).toEqual([...Object.keys(CONSOLE_METHODS), 'on'].sort());
    await expect(api['session.get']({})).rejects.toMatchObject({ code: 'offline' });
  });
});

describe('ipc transport', () => {
  it('refuses a method or event the contract does not have, without touching IPC', async () => {
    const { ipc, invoked, count } = fakeIpc();
    const transport = ipcTransport(ipc);
    await expect(transport.invoke('shell.openExternal', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(() => transport.subscribe('ipc.raw' as never, () => {})).toThrow();
    expect(invoked).toEqual([]);
    expect(count('branchline:event:ipc.raw')).toBe(0);
  });
});
