import { describe, expect, it, vi } from 'vitest';
import { CONSOLE_METHODS, type ConsoleEvent, type EventPayload, type WireResult } from '../shared/contract';
import { ConsoleService, type ConsoleHandlers } from './core/console-service';
import { EventBus } from './core/event-bus';
import { eventChannel, methodChannel, registerIpcBridge, type IpcBridgeOptions } from './ipc-bridge';
import { FakeBrowserWindow, FakeFrame, FakeIpcMain, FakeWebContents } from './test-support/fake-electron';

const APP = 'app://branchline';

function setup(appOrigin = APP) {
  const ipcMain = new FakeIpcMain();
  const window = new FakeBrowserWindow('app://branchline/index.html');
  const windows = [window];
  let listener: (<E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void) | null = null;
  const service = {
    call: vi.fn(async (): Promise<WireResult<unknown>> => ({ ok: true, value: { ok: true } })),
    on: vi.fn((l: NonNullable<typeof listener>) => {
      listener = l;
      return () => (listener = null);
    }),
  };
  const log = vi.fn();
  const bridge = registerIpcBridge({ ipcMain, service: service as unknown as IpcBridgeOptions['service'], windows: () => windows, appOrigin, log });
  const fire = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => listener?.(event, payload);
  return { ipcMain, window, windows, service, bridge, fire, log };
}

describe('ipc bridge: calls', () => {
  it('registers exactly one handler per contract method, named branchline:<method>', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      Object.keys(CONSOLE_METHODS)
        .map((m) => `branchline:${m}`)
        .sort(),
    );
  });

  it('passes a valid call from our window to the service and returns its answer', async () => {
    const { ipcMain, window, service } = setup();
    service.call.mockResolvedValueOnce({ ok: true, value: { text: 'draft' } });
    const answer = await ipcMain.invoke(methodChannel('drafts.get'), window.webContents.invokeEvent(), { conversationId: 'c1' });
    expect(answer).toEqual({ ok: true, value: { text: 'draft' } });
    expect(service.call).toHaveBeenCalledWith('drafts.get', { conversationId: 'c1' });
  });

  it('forwards the input exactly as sent: the service parses it, once', async () => {
    const { ipcMain, window, service } = setup();
    await ipcMain.invoke(methodChannel('session.get'), window.webContents.invokeEvent());
    expect(service.call).toHaveBeenCalledWith('session.get', undefined);
  });

  /** The bridge over the real dispatcher: what reaches a handler was parsed by the contract. */
  function overRealService() {
    const ipcMain = new FakeIpcMain();
    const window = new FakeBrowserWindow('app://branchline/index.html');
    const ran: { method: string; input: unknown }[] = [];
    const handlers = new Proxy({} as ConsoleHandlers, {
      get: (_target, method) => async (input: unknown) => (ran.push({ method: String(method), input }), { text: '' }),
    });
    registerIpcBridge({ ipcMain, service: new ConsoleService(handlers, new EventBus()), windows: () => [window], appOrigin: APP });
    return { ipcMain, event: window.webContents.invokeEvent(), ran };
  }

  it('refuses invalid input before any handler runs (invariant 3, through the bridge)', async () => {
    const { ipcMain, event, ran } = overRealService();
    const answers = await Promise.all([
      ipcMain.invoke(methodChannel('drafts.get'), event, { conversationId: '../../etc/passwd' }),
      ipcMain.invoke(methodChannel('messages.sendText'), event, { conversationId: 'c1', body: '   ' }),
      ipcMain.invoke(methodChannel('session.get'), event, { extra: true }),
      ipcMain.invoke(methodChannel('conversations.list'), event, 'all'),
    ]);
    for (const answer of answers) expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.any(String) } });
    expect(ran).toEqual([]);
  });

  it('hands handlers only the fields the contract knows', async () => {
    const { ipcMain, event, ran } = overRealService();
    await ipcMain.invoke(methodChannel('drafts.get'), event, { conversationId: 'c1', __proto__: { admin: true }, extra: 1 });
    expect(ran).toEqual([{ method: 'drafts.get', input: { conversationId: 'c1' } }]);
  });

  it.each([
    ['a frame of another origin', () => new FakeFrame('https://evil.example/page')],
    ['a sub-frame, even of our origin', () => new FakeFrame('app://branchline/index.html', new FakeFrame('app://branchline/index.html'))],
    ['a file:// page', () => new FakeFrame('file:///home/agent/index.html')],
    ['a look-alike host', () => new FakeFrame('app://branchline.evil/index.html')],
    ['a frame that is gone', () => null],
  ])('refuses %s as forbidden and never calls the service', async (_name, frame) => {
    const { ipcMain, window, service, log } = setup();
    const answer = await ipcMain.invoke(methodChannel('session.get'), window.webContents.invokeEvent(frame()), {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(service.call).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('ipc.refused', expect.objectContaining({ method: 'session.get' }));
  });

  it('refuses a web contents that is not one of our windows, even at our origin', async () => {
    const { ipcMain, service } = setup();
    const stranger = new FakeWebContents('app://branchline/index.html');
    const answer = await ipcMain.invoke(methodChannel('session.get'), stranger.invokeEvent(), {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(service.call).not.toHaveBeenCalled();
  });

  it('accepts the dev server origin in development, and then refuses app://', async () => {
    const { ipcMain, window, service } = setup('http://localhost:5173');
    window.webContents.mainFrame.url = 'http://localhost:5173/';
    expect(await ipcMain.invoke(methodChannel('session.get'), window.webContents.invokeEvent(), {})).toMatchObject({ ok: true });
    window.webContents.mainFrame.url = 'app://branchline/index.html';
    expect(await ipcMain.invoke(methodChannel('session.get'), window.webContents.invokeEvent(), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(service.call).toHaveBeenCalledTimes(1);
  });

  it('answers internal when the service throws, without its message', async () => {
    const { ipcMain, window, service } = setup();
    service.call.mockRejectedValueOnce(new Error('secret token blt_abc in the message'));
    const answer = (await ipcMain.invoke(methodChannel('session.get'), window.webContents.invokeEvent(), {})) as WireResult<unknown>;
    expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(answer)).not.toContain('blt_abc');
  });

  it('removes its handlers on dispose', () => {
    const { ipcMain, bridge } = setup();
    bridge.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('ipc bridge: events', () => {
  it('sends each service event on branchline:event:<name> to our windows only', () => {
    const { window, windows, fire } = setup();
    const second = new FakeBrowserWindow('app://branchline/index.html');
    const navigatedAway = new FakeBrowserWindow('https://evil.example/');
    const closed = new FakeBrowserWindow('app://branchline/index.html');
    closed.close();
    const notOurs = new FakeBrowserWindow('app://branchline/index.html');
    windows.push(second, navigatedAway, closed);

    const progress = { phase: 'syncing' as const, done: 1, total: 3 };
    fire('sync.progress', progress);

    for (const ours of [window, second]) expect(ours.webContents.sent).toEqual([{ channel: 'branchline:event:sync.progress', args: [progress] }]);
    for (const other of [navigatedAway, closed, notOurs]) expect(other.webContents.sent).toEqual([]);
  });

  it('lets adapters emit events the same way (a notification click opening a conversation)', () => {
    const { window, bridge } = setup();
    bridge.emit('navigation.openConversation', { conversationId: 'c9' });
    expect(window.webContents.sent).toEqual([{ channel: eventChannel('navigation.openConversation'), args: [{ conversationId: 'c9' }] }]);
  });

  it('stops forwarding after dispose', () => {
    const { window, bridge, fire } = setup();
    bridge.dispose();
    fire('sync.progress', { phase: 'idle', done: 0, total: 0 });
    expect(window.webContents.sent).toEqual([]);
  });
});
