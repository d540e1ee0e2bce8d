// The unread total where the agent sees it without the window (dock badge, taskbar overlay, tray tooltip),
// and the tray menu: show the window, pause notifications, quit.
import type { Console } from './core/create-console';
import { showAndFocus, type FocusableWindow } from './lifecycle';

type Log = (event: string, fields?: Record<string, unknown>) => void;

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  click?: (item: { checked: boolean }) => void;
}

export interface BadgeWindow extends FocusableWindow {
  setOverlayIcon(overlay: unknown, description: string): void;
}

export interface TrayBadgeOptions {
  service: Pick<Console, 'on' | 'unreadTotal' | 'setNotificationsPaused'>;
  app: { setBadgeCount(count?: number): boolean };
  platform: NodeJS.Platform;
  tray: TrayLike;
  menu: { buildFromTemplate(template: TrayMenuItem[]): unknown };
  window: () => BadgeWindow | null;
  /** The Windows taskbar overlay for "unread" (nativeImage of unreadDotBitmap). */
  overlayIcon: () => unknown;
  quit: () => void;
  log?: Log;
}

export interface TrayBadge {
  /** Whether the agent paused notifications from the tray. */
  readonly paused: boolean;
  setPaused(paused: boolean): void;
  /** Reads the unread total and shows it (again, with `force`: a new window has no overlay yet). */
  refresh(force?: boolean): void;
  dispose(): void;
}

/** What the tray tooltip says. */
export function trayTooltip(unread: number, paused: boolean): string {
  return `Branchline — ${unread} unread${paused ? ' (notifications paused)' : ''}`;
}

/**
 * A filled, anti-aliased circle as raw BGRA pixels (premultiplied), for nativeImage.createFromBitmap:
 * the tray icon and the taskbar overlay, drawn here because nativeImage cannot read the SVG icon.
 */
export function circleBitmap(size: number, rgb: readonly [number, number, number]): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const radius = size / 2;
  const samples = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let inside = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const dx = x + (sx + 0.5) / samples - radius;
          const dy = y + (sy + 0.5) / samples - radius;
          if (dx * dx + dy * dy <= radius * radius) inside++;
        }
      }
      const alpha = inside / (samples * samples);
      const offset = (y * size + x) * 4;
      pixels[offset] = Math.round(rgb[2] * alpha);
      pixels[offset + 1] = Math.round(rgb[1] * alpha);
      pixels[offset + 2] = Math.round(rgb[0] * alpha);
      pixels[offset + 3] = Math.round(255 * alpha);
    }
  }
  return pixels;
}

export const BRAND_GREEN = [0x1b, 0x6e, 0x3a] as const;
export const UNREAD_RED = [0xd9, 0x30, 0x25] as const;

export function attachTrayBadge(options: TrayBadgeOptions): TrayBadge {
  const log = options.log ?? (() => {});
  let paused = false;
  let shown: number | null = null;

  const showBadge = (unread: number) => {
    if (options.platform === 'win32') {
      // Windows has no app badge: an overlay on the taskbar button, with the count for screen readers.
      const window = options.window();
      if (window === null || window.isDestroyed()) return;
      if (unread > 0) window.setOverlayIcon(options.overlayIcon(), `${unread} unread`);
      else window.setOverlayIcon(null, '');
    } else if (!options.app.setBadgeCount(unread)) {
      log('badge.unsupported'); // Linux desktops without a launcher API
    }
  };

  const rebuildMenu = () => {
    options.tray.setContextMenu(
      options.menu.buildFromTemplate([
        { label: 'Show window', click: () => showAndFocus(options.window()) },
        { label: 'Pause notifications', type: 'checkbox', checked: paused, click: (item) => setPaused(item.checked) },
        { type: 'separator' },
        { label: 'Quit', click: () => options.quit() },
      ]),
    );
  };

  const refresh = (force = false) => {
    let unread: number;
    try {
      unread = options.service.unreadTotal();
    } catch (error) {
      log('badge.unread_failed', { error: error instanceof Error ? error.name : 'unknown' });
      return;
    }
    if (!force && unread === shown) return;
    shown = unread;
    showBadge(unread);
    options.tray.setToolTip(trayTooltip(unread, paused));
  };

  const setPaused = (next: boolean) => {
    paused = next;
    options.service.setNotificationsPaused(next);
    rebuildMenu();
    options.tray.setToolTip(trayTooltip(shown ?? 0, paused));
  };

  options.tray.on('click', () => showAndFocus(options.window()));
  rebuildMenu();
  refresh(true);

  const unsubscribe = options.service.on((event) => {
    if (event === 'conversations.changed' || event === 'messages.changed' || event === 'messages.removed' || event === 'session.changed') refresh();
  });

  return {
    get paused() {
      return paused;
    },
    setPaused,
    refresh,
    dispose() {
      unsubscribe();
    },
  };
}
