import { describe, expect, it, vi } from 'vitest';
import type { ConsoleEvent, EventPayload } from '../shared/contract';
import { UNREAD_RED, attachTrayBadge, circleBitmap, trayTooltip, type TrayBadgeOptions } from './tray-badge';
import { FakeApp, FakeBrowserWindow, FakeTray, fakeMenu, fakeNativeImage, type FakeMenu } from './test-support/fake-electron';

type Listener = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void;

function setup(platform: NodeJS.Platform, unread = 0) {
  const listeners = new Set<Listener>();
  let total = unread;
  const service = {
    on: (listener: Listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    unreadTotal: vi.fn(() => total),
    setNotificationsPaused: vi.fn(),
  };
  const app = new FakeApp();
  const tray = new FakeTray();
  const window = new FakeBrowserWindow();
  const overlay = fakeNativeImage.createFromBitmap(circleBitmap(16, UNREAD_RED), { width: 16, height: 16 });
  const quit = vi.fn();
  const badge = attachTrayBadge({
    service: service as unknown as TrayBadgeOptions['service'],
    app,
    platform,
    tray,
    menu: fakeMenu,
    window: () => window,
    overlayIcon: () => overlay,
    quit,
  });
  const changeUnread = (next: number) => {
    total = next;
    listeners.forEach((l) => l('conversations.changed', { items: [] }));
  };
  return { app, tray, window, overlay, badge, service, quit, changeUnread, menu: () => tray.menu as FakeMenu };
}

describe('unread badge', () => {
  it('macOS and Linux: the dock badge shows the unread total', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      const { app, changeUnread, window } = setup(platform, 3);
      expect(app.badgeCount).toBe(3);
      changeUnread(12);
      expect(app.badgeCount).toBe(12);
      changeUnread(0);
      expect(app.badgeCount).toBe(0);
      expect(window.overlay).toBeNull();
    }
  });

  it('Windows: an overlay icon on the taskbar button, with the count as its description, cleared at zero', () => {
    const { app, window, overlay, changeUnread } = setup('win32', 0);
    expect(window.overlay).toBeNull();
    changeUnread(5);
    expect(window.overlay).toEqual({ image: overlay, description: '5 unread' });
    changeUnread(0);
    expect(window.overlay).toBeNull();
    expect(app.badgeCount).toBeNull();
  });

  it('the tray tooltip says how many are unread', () => {
    const { tray, changeUnread } = setup('linux', 2);
    expect(tray.tooltip).toBe('Branchline — 2 unread');
    changeUnread(7);
    expect(tray.tooltip).toBe('Branchline — 7 unread');
  });

  it('reads the total again only on events that can change it, and shows it only when it changed', () => {
    const { service, changeUnread, app } = setup('darwin', 1);
    const setBadge = vi.spyOn(app, 'setBadgeCount');
    changeUnread(1);
    expect(setBadge).not.toHaveBeenCalled();
    expect(service.unreadTotal).toHaveBeenCalledTimes(2);
  });
});

describe('tray menu', () => {
  it('has Show window, Pause notifications (a checkbox) and Quit', () => {
    const { menu } = setup('linux');
    expect(menu().items.map((i) => i.label ?? `(${i.type})`)).toEqual(['Show window', 'Pause notifications', '(separator)', 'Quit']);
    expect(menu().item('Pause notifications')).toMatchObject({ type: 'checkbox', checked: false });
  });

  it('Show window brings the window back from the tray', () => {
    const { menu, window } = setup('linux');
    menu().click('Show window');
    expect(window.isVisible() && window.isFocused()).toBe(true);
  });

  it('Pause notifications pauses the service, says so in the tooltip, and unpauses', () => {
    const { menu, badge, service, tray } = setup('linux', 1);
    menu().click('Pause notifications');
    expect(service.setNotificationsPaused).toHaveBeenLastCalledWith(true);
    expect(badge.paused).toBe(true);
    expect(menu().item('Pause notifications').checked).toBe(true);
    expect(tray.tooltip).toBe('Branchline — 1 unread (notifications paused)');
    menu().click('Pause notifications');
    expect(service.setNotificationsPaused).toHaveBeenLastCalledWith(false);
    expect(badge.paused).toBe(false);
  });

  it('Quit quits', () => {
    const { menu, quit } = setup('linux');
    menu().click('Quit');
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('a click on the tray icon shows the window', () => {
    const { tray, window } = setup('win32');
    tray.emit('click');
    expect(window.isVisible()).toBe(true);
  });
});

describe('drawing', () => {
  it('a circle bitmap is opaque in the middle and clear in the corners, in BGRA order', () => {
    const size = 16;
    const pixels = circleBitmap(size, UNREAD_RED);
    expect(pixels).toHaveLength(size * size * 4);
    const at = (x: number, y: number) => [...pixels.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
    expect(at(8, 8)).toEqual([UNREAD_RED[2], UNREAD_RED[1], UNREAD_RED[0], 255]);
    expect(at(0, 0)).toEqual([0, 0, 0, 0]);
  });

  it('the tooltip text', () => {
    expect(trayTooltip(0, false)).toBe('Branchline — 0 unread');
    expect(trayTooltip(3, true)).toBe('Branchline — 3 unread (notifications paused)');
  });
});
