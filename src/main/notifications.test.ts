import { describe, expect, it, vi } from 'vitest';
import type { ConsoleEvent, EventPayload, Settings } from '../shared/contract';
import { APP_USER_MODEL_ID, attachNotifications, type NotificationsOptions } from './notifications';
import { FakeApp, FakeBrowserWindow, FakeNotification } from './test-support/fake-electron';

type Listener = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void;

function setup(overrides: Partial<NotificationsOptions> = {}) {
  const listeners = new Set<Listener>();
  let settings: Settings = { notificationPrivacy: 'show', sounds: true, closeToTray: false, theme: 'system' };
  const service = {
    on: (listener: Listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    settings: () => settings,
  };
  const app = new FakeApp();
  const window = new FakeBrowserWindow();
  window.visible = true;
  let paused = false;
  const notifications: FakeNotification[] = [];
  const emit = vi.fn();
  const log = vi.fn();
  const handle = attachNotifications({
    service: service as unknown as NotificationsOptions['service'],
    app,
    platform: 'linux',
    createNotification: (options) => {
      const n = new FakeNotification(options);
      notifications.push(n);
      return n;
    },
    window: () => window,
    paused: () => paused,
    emit,
    log,
    ...overrides,
  });
  const fire = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => listeners.forEach((l) => l(event, payload));
  const notify = (conversationId: string, messageId: string, body: string | null = 'Hello') =>
    fire('notification.show', { conversationId, messageId, title: 'Ana Silva', body });
  return {
    app,
    window,
    notifications,
    emit,
    log,
    handle,
    fire,
    notify,
    listeners,
    setPaused: (p: boolean) => (paused = p),
    setSettings: (s: Partial<Settings>) => (settings = { ...settings, ...s }),
  };
}

describe('native notifications', () => {
  it('shows one for a notification.show event, with the title and body the core chose', () => {
    const { notifications, notify } = setup();
    notify('c1', 'm1', 'Is my card blocked?');
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.options).toEqual({ title: 'Ana Silva', body: 'Is my card blocked?', silent: false });
    expect(notifications[0]?.shown).toBe(true);
  });

  it('shows no body when the privacy setting hid it, and is silent when sounds are off', () => {
    const { notifications, notify, setSettings } = setup();
    setSettings({ sounds: false });
    notify('c1', 'm1', null);
    expect(notifications[0]?.options).toEqual({ title: 'Ana Silva', body: '', silent: true });
  });

  it('a click shows and focuses the window and opens the conversation in the renderer', () => {
    const { window, notifications, notify, emit } = setup();
    window.hide();
    window.minimized = true;
    notify('c1', 'm1');
    notifications[0]?.click();
    expect(window.calls.filter((c) => !c.startsWith('flashFrame')).slice(-3)).toEqual(['restore', 'show', 'focus']);
    expect(window.isVisible() && window.isFocused()).toBe(true);
    expect(emit).toHaveBeenCalledWith('navigation.openConversation', { conversationId: 'c1' });
  });

  it('a second notification for the same conversation closes the first; other conversations keep theirs', () => {
    const { notifications, notify } = setup();
    notify('c1', 'm1');
    notify('c2', 'm2');
    notify('c1', 'm3');
    expect(notifications.map((n) => [n.closed, n.shown])).toEqual([
      [true, true],
      [false, true],
      [false, true],
    ]);
  });

  it('keeps the click handler of the replacing notification working after the first one closed', () => {
    const { notifications, notify, emit } = setup();
    notify('c1', 'm1');
    notify('c1', 'm2');
    notifications[1]?.click();
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit).toHaveBeenCalledWith('navigation.openConversation', { conversationId: 'c1' });
  });

  it('shows nothing while paused, and again after', () => {
    const { notifications, notify, setPaused } = setup();
    setPaused(true);
    notify('c1', 'm1');
    expect(notifications).toHaveLength(0);
    setPaused(false);
    notify('c1', 'm2');
    expect(notifications).toHaveLength(1);
  });

  it('shows nothing where the OS has no notifications', () => {
    const { notify, log } = setup({ createNotification: null });
    expect(() => notify('c1', 'm1')).not.toThrow();
    expect(log).not.toHaveBeenCalledWith('notification.shown');
  });

  it('flashes the taskbar when the window is not focused, and stops when it gets focus', () => {
    const { window, notify } = setup();
    notify('c1', 'm1');
    expect(window.flashing).toBe(true);
    window.focus();
    expect(window.flashing).toBe(false);
  });

  it('does not flash a focused window', () => {
    const { window, notify } = setup();
    window.focus();
    notify('c1', 'm1');
    expect(window.calls).not.toContain('flashFrame(true)');
  });

  it('sets the Windows AppUserModelID, on Windows only', () => {
    const app = new FakeApp();
    setup({ app, platform: 'win32' });
    expect(app.appUserModelId).toBe(APP_USER_MODEL_ID);
    expect(APP_USER_MODEL_ID).toBe('com.branchline.console');
    const mac = new FakeApp();
    setup({ app: mac, platform: 'darwin' });
    expect(mac.appUserModelId).toBeNull();
  });

  it('never logs a title or a body', () => {
    const { notify, log } = setup();
    notify('c1', 'm1', 'my PIN is 1234');
    expect(JSON.stringify(log.mock.calls)).not.toMatch(/PIN|Ana/);
  });

  it('closes everything on sign-out and on dispose, and stops listening', () => {
    const { notifications, notify, fire, handle, listeners } = setup();
    notify('c1', 'm1');
    fire('session.changed', { signedIn: false, relayUrl: null, agent: null, relayUrlLocked: false, signInAgain: false });
    expect(notifications[0]?.closed).toBe(true);
    notify('c2', 'm2');
    handle.dispose();
    expect(notifications[1]?.closed).toBe(true);
    expect(listeners.size).toBe(0);
  });
});
