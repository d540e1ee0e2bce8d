import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claimSingleInstance, installLifecycle, isOnScreen, parseDeepLink, readWindowState, showAndFocus, type LifecycleOptions } from './lifecycle';
import { FakeApp, FakeBrowserWindow, fakeEvent } from './test-support/fake-electron';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(name = 'window-state.json'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-lifecycle-'));
  dirs.push(dir);
  return path.join(dir, name);
}

const SCREEN = { x: 0, y: 0, width: 1920, height: 1040 };

function setup(overrides: Partial<LifecycleOptions> = {}) {
  const app = new FakeApp();
  const window = new FakeBrowserWindow();
  let current: FakeBrowserWindow | null = window;
  const opened: string[] = [];
  let closeToTray = false;
  let finishShutdown: () => void = () => {};
  const shutdown = vi.fn(() => new Promise<void>((resolve) => (finishShutdown = resolve)));
  const createWindow = vi.fn();
  const log = vi.fn();
  const options: LifecycleOptions = {
    app,
    platform: 'linux',
    argv: ['/opt/Branchline/branchline'],
    window: () => current,
    createWindow,
    openConversation: (id) => opened.push(id),
    closeToTray: () => closeToTray,
    shutdown,
    stateFile: tempFile(),
    shutdownTimeoutMs: 5_000,
    log,
    ...overrides,
  };
  const lifecycle = installLifecycle(options);
  lifecycle.attachWindow(window);
  return {
    app,
    window,
    opened,
    lifecycle,
    shutdown,
    createWindow,
    log,
    options,
    finishShutdown: () => finishShutdown(),
    setCloseToTray: (on: boolean) => (closeToTray = on),
    setWindow: (w: FakeBrowserWindow | null) => (current = w),
    loaded: () => window.webContents.emit('did-finish-load'),
  };
}

describe('single instance', () => {
  it('keeps the first instance and makes a second one quit', () => {
    const first = new FakeApp();
    expect(claimSingleInstance(first)).toBe(true);
    expect(first.quitRequests).toBe(0);
    const second = new FakeApp();
    second.lockAvailable = false;
    expect(claimSingleInstance(second)).toBe(false);
    expect(second.quitRequests).toBe(1);
  });

  it('a second launch focuses the first window and forwards its deep link', () => {
    const { app, window, opened, loaded } = setup();
    loaded();
    window.minimized = true;
    app.emit('second-instance', fakeEvent(), ['/opt/Branchline/branchline', '--flag', 'branchline://conversation/conv-42'], '/home/agent', {});
    expect(window.calls).toEqual(['restore', 'show', 'focus', 'show', 'focus']);
    expect(window.isVisible() && window.isFocused()).toBe(true);
    expect(opened).toEqual(['conv-42']);
  });

  it('a second launch without a link only focuses', () => {
    const { app, window, opened, loaded } = setup();
    loaded();
    app.emit('second-instance', fakeEvent(), ['/opt/Branchline/branchline'], '/home/agent', {});
    expect(window.calls).toEqual(['show', 'focus']);
    expect(opened).toEqual([]);
  });
});

describe('deep links', () => {
  it.each([
    ['branchline://conversation/conv-42', 'conv-42'],
    ['branchline://conversation/conv-42/', 'conv-42'],
    ['branchline://conversation/pending:15551234567', 'pending:15551234567'],
    ['BRANCHLINE://conversation/abc', 'abc'],
    ['branchline://conversation/a%2Eb', 'a.b'],
  ])('%s opens conversation %s', (url, id) => expect(parseDeepLink(url)).toEqual({ conversationId: id }));

  it.each([
    'branchline://conversation/',
    'branchline://conversation/a/b',
    'branchline://conversation/..%2F..%2Fsecret',
    'branchline://conversation/a%20b',
    `branchline://conversation/${'x'.repeat(129)}`,
    'branchline://settings/abc',
    'branchline://user:pw@conversation/abc',
    'https://conversation/abc',
    'not a url',
  ])('refuses %s', (url) => expect(parseDeepLink(url)).toBeNull());

  it('macOS open-url is taken (prevented) and forwarded once the page has loaded', () => {
    const { app, opened, loaded, window } = setup({ platform: 'darwin' });
    const event = fakeEvent();
    app.emit('open-url', event, 'branchline://conversation/c7');
    expect(event.defaultPrevented).toBe(true);
    expect(opened).toEqual([]); // the renderer is not there yet
    loaded();
    expect(opened).toEqual(['c7']);
    expect(window.isFocused()).toBe(true);
  });

  it('a cold start from a link (Windows/Linux argv) opens the conversation when the page loads', () => {
    const { opened, loaded } = setup({ argv: ['C:\\Branchline\\Branchline.exe', 'branchline://conversation/c8'] });
    expect(opened).toEqual([]);
    loaded();
    expect(opened).toEqual(['c8']);
  });

  it('an invalid link is refused and not logged verbatim', () => {
    const { app, opened, loaded, log } = setup();
    loaded();
    app.emit('second-instance', fakeEvent(), ['x', 'branchline://conversation/<script>'], '/', {});
    expect(opened).toEqual([]);
    expect(JSON.stringify(log.mock.calls)).not.toContain('<script>');
  });

  it('registers branchline:// with the OS only in packaged builds', () => {
    const packaged = new FakeApp();
    packaged.isPackaged = true;
    installLifecycle({ ...setup().options, app: packaged });
    expect(packaged.protocolClients).toEqual([{ protocol: 'branchline' }]);
    expect(setup().app.protocolClients).toEqual([]);
  });
});

describe('window bounds', () => {
  it('are saved when the window closes and restored on the next start', () => {
    const { window, options } = setup();
    window.bounds = { x: 200, y: 150, width: 1000, height: 700 };
    window.maximized = true;
    window.close();
    expect(JSON.parse(readFileSync(options.stateFile, 'utf8'))).toEqual({ bounds: { x: 200, y: 150, width: 1000, height: 700 }, maximized: true });
    expect(readWindowState(options.stateFile, [SCREEN])).toEqual({ bounds: { x: 200, y: 150, width: 1000, height: 700 }, maximized: true });
  });

  it('are ignored when they would be off every screen (a monitor was unplugged)', () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ bounds: { x: 2200, y: 100, width: 1000, height: 700 }, maximized: false }));
    expect(readWindowState(file, [SCREEN])).toBeNull();
    expect(readWindowState(file, [SCREEN, { x: 1920, y: 0, width: 1920, height: 1080 }])).not.toBeNull();
  });

  it('are ignored when missing, damaged or absurd', () => {
    const file = tempFile();
    expect(readWindowState(file, [SCREEN])).toBeNull();
    writeFileSync(file, '{"bounds": {"x": 1');
    expect(readWindowState(file, [SCREEN])).toBeNull();
    writeFileSync(file, JSON.stringify({ bounds: { x: 10, y: 10, width: 5, height: 5 } }));
    expect(readWindowState(file, [SCREEN])).toBeNull();
    writeFileSync(file, JSON.stringify({ bounds: { x: 'a', y: 10, width: 800, height: 600 } }));
    expect(readWindowState(file, [SCREEN])).toBeNull();
  });

  it.each([
    [{ x: 100, y: 100, width: 800, height: 600 }, true],
    [{ x: -700, y: 100, width: 800, height: 600 }, false], // title bar middle left of the screen
    [{ x: 100, y: -200, width: 800, height: 600 }, false], // title bar above the screen
    [{ x: 100, y: 1030, width: 800, height: 600 }, false], // below the work area
  ])('%o on screen: %s', (bounds, expected) => expect(isOnScreen(bounds, [SCREEN])).toBe(expected));
});

describe('close to tray', () => {
  it('hides the window instead of closing when the setting is on', () => {
    const { window, setCloseToTray } = setup();
    setCloseToTray(true);
    window.show();
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);
  });

  it('closes when the setting is off', () => {
    const { window } = setup();
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });

  it('closes during a quit even when the setting is on', async () => {
    const { app, window, setCloseToTray, finishShutdown } = setup();
    setCloseToTray(true);
    app.quit();
    finishShutdown();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });
});

describe('shutdown', () => {
  it('holds the quit until the service has stopped, then quits', async () => {
    const { app, shutdown, finishShutdown } = setup();
    app.quit();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(app.quitted).toBe(false); // before-quit was prevented: the outbox is still committing
    app.quit(); // an impatient second Quit does not start a second shutdown
    expect(shutdown).toHaveBeenCalledTimes(1);
    finishShutdown();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(app.quitRequests).toBe(3);
  });

  it('quits anyway when stopping takes longer than the limit', async () => {
    const { app, log } = setup({ shutdownTimeoutMs: 20 });
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(log).toHaveBeenCalledWith('shutdown.timed_out');
  });

  it('quits when stopping fails', async () => {
    const { app } = setup({ shutdown: () => Promise.reject(new Error('db locked')) });
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
  });

  it('the last window closing quits on Windows and Linux, not on macOS', () => {
    const linux = setup();
    linux.app.emit('window-all-closed');
    expect(linux.app.quitRequests).toBe(1);
    const mac = setup({ platform: 'darwin' });
    mac.app.emit('window-all-closed');
    expect(mac.app.quitRequests).toBe(0);
  });

  it('macOS activate re-creates a closed window, or shows the hidden one', () => {
    const { app, createWindow, setWindow, window } = setup({ platform: 'darwin' });
    app.emit('activate');
    expect(createWindow).not.toHaveBeenCalled();
    expect(window.isFocused()).toBe(true);
    setWindow(null);
    app.emit('activate');
    expect(createWindow).toHaveBeenCalledTimes(1);
  });
});

describe('showAndFocus', () => {
  it('restores a minimized window, shows and focuses it, and ignores a destroyed one', () => {
    const window = new FakeBrowserWindow();
    window.minimized = true;
    showAndFocus(window);
    expect(window.calls).toEqual(['restore', 'show', 'focus']);
    const gone = new FakeBrowserWindow();
    gone.destroyed = true;
    showAndFocus(gone);
    showAndFocus(null);
    expect(gone.calls).toEqual([]);
  });
});
