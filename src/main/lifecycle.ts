// The app's life on the desktop: one instance, branchline:// deep links, window bounds, close-to-tray,
// and a shutdown that waits for the console service to stop before the process exits.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EntityId } from '../shared/domain';

export const DEEP_LINK_SCHEME = 'branchline';
/** How long quitting waits for the service to stop; a hung socket must not keep the app open. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

type Log = (event: string, fields?: Record<string, unknown>) => void;

interface Preventable {
  preventDefault(): void;
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FocusableWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/** Brings the window to the front, from the tray, the taskbar or minimized. */
export function showAndFocus(window: FocusableWindow | null): void {
  if (window === null || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

// ---- deep links ----

/** `branchline://conversation/<id>` → the id, validated like any other input; anything else → null. */
export function parseDeepLink(text: string): { conversationId: string } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.host !== 'conversation' || url.username !== '' || url.password !== '') return null;
  const segments = url.pathname.replace(/\/$/, '').split('/').slice(1);
  if (segments.length !== 1) return null;
  let id: string;
  try {
    id = decodeURIComponent(segments[0] ?? '');
  } catch {
    return null;
  }
  return EntityId.safeParse(id).success ? { conversationId: id } : null;
}

/** Windows and Linux pass the link as a command-line argument (of the first launch, or of a second one). */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`)) ?? null;
}

// ---- window bounds ----

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

/** On screen when the middle of the title bar is inside a work area: the agent can grab it and move the window. */
export function isOnScreen(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  const x = bounds.x + bounds.width / 2;
  const y = bounds.y + 16;
  return workAreas.some((area) => x >= area.x && x < area.x + area.width && y >= area.y && y < area.y + area.height);
}

function isRectangle(value: unknown): value is Rectangle {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  return (
    finite(r['x']) &&
    finite(r['y']) &&
    finite(r['width']) &&
    finite(r['height']) &&
    r['width'] >= 200 &&
    r['height'] >= 150 &&
    r['width'] <= 20_000 &&
    r['height'] <= 20_000
  );
}

/** The saved state, or null when there is none, it is damaged, or it would put the window off every screen (a monitor unplugged). */
export function readWindowState(file: string, workAreas: readonly Rectangle[]): WindowState | null {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const state = saved as { bounds?: unknown; maximized?: unknown };
  if (!isRectangle(state.bounds) || !isOnScreen(state.bounds, workAreas)) return null;
  const { x, y, width, height } = state.bounds;
  return { bounds: { x, y, width, height }, maximized: state.maximized === true };
}

export function writeWindowState(file: string, state: WindowState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  renameSync(temporary, file); // a crash mid-write leaves the old file, never half a file
}

// ---- the lifecycle ----

export interface LifecycleApp {
  readonly isPackaged: boolean;
  on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: 'open-url', listener: (event: Preventable, url: string) => void): unknown;
  on(event: 'before-quit', listener: (event: Preventable) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  quit(): void;
  requestSingleInstanceLock(): boolean;
  setAsDefaultProtocolClient(protocol: string): boolean;
}

export interface LifecycleWindow extends FocusableWindow {
  on(event: 'close', listener: (event: Preventable) => void): unknown;
  hide(): void;
  isMaximized(): boolean;
  getNormalBounds(): Rectangle;
  readonly webContents: { on(event: 'did-finish-load', listener: () => void): unknown };
}

/** Before ready. False: another Branchline runs; it has been handed our arguments and this one quits. */
export function claimSingleInstance(app: Pick<LifecycleApp, 'requestSingleInstanceLock' | 'quit'>): boolean {
  if (app.requestSingleInstanceLock()) return true;
  app.quit();
  return false;
}

export interface LifecycleOptions {
  app: LifecycleApp;
  platform: NodeJS.Platform;
  /** This process's own arguments: a cold start from a link on Windows or Linux. */
  argv: readonly string[];
  window: () => LifecycleWindow | null;
  /** Creates the window again (macOS: the dock icon clicked after the window was closed). */
  createWindow: () => void;
  /** Sends navigation.openConversation to the renderer. */
  openConversation: (conversationId: string) => void;
  closeToTray: () => boolean;
  /** Stops the console service (its outbox commits) and closes the database. */
  shutdown: () => Promise<void>;
  /** window-state.json in userData. */
  stateFile: string;
  shutdownTimeoutMs?: number;
  log?: Log;
}

export interface Lifecycle {
  /** Call for each window created: saves its bounds, hides it to the tray, delivers links once its page has loaded. */
  attachWindow(window: LifecycleWindow): void;
  /** Whether a quit is under way (the tray's Quit, the menu, the OS). */
  readonly quitting: boolean;
}

/** Install before app ready: macOS delivers open-url for a cold start before ready. */
export function installLifecycle(options: LifecycleOptions): Lifecycle {
  const { app } = options;
  const log = options.log ?? (() => {});
  let quitting = false;
  let shutdownStarted = false;
  let shutdownDone = false;
  let rendererReady = false;
  let pendingConversation: string | null = null;

  const deliver = () => {
    if (pendingConversation === null || !rendererReady) return;
    const conversationId = pendingConversation;
    pendingConversation = null;
    showAndFocus(options.window());
    options.openConversation(conversationId);
  };

  const handleLink = (url: string) => {
    const link = parseDeepLink(url);
    if (link === null) {
      log('deeplink.refused'); // not the URL: it is whatever another program passed us
      return;
    }
    pendingConversation = link.conversationId;
    deliver();
  };

  if (app.isPackaged) {
    if (!app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)) log('deeplink.register_failed');
  } else {
    // A development build would take over branchline:// links from the installed app.
    log('deeplink.not_registered', { reason: 'development build' });
  }

  app.on('second-instance', (_event, argv) => {
    showAndFocus(options.window());
    const link = deepLinkFromArgv(argv);
    if (link !== null) handleLink(link);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handleLink(url);
  });
  const initial = deepLinkFromArgv(options.argv);
  if (initial !== null) handleLink(initial);

  app.on('before-quit', (event) => {
    quitting = true;
    if (shutdownDone) return;
    event.preventDefault();
    if (shutdownStarted) return;
    shutdownStarted = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    });
    const stopped = options.shutdown().then(
      () => 'stopped' as const,
      (error: unknown) => {
        log('shutdown.failed', { error: error instanceof Error ? error.name : 'unknown' });
        return 'failed' as const;
      },
    );
    void Promise.race([stopped, timeout]).then((outcome) => {
      clearTimeout(timer);
      if (outcome === 'timeout') log('shutdown.timed_out');
      shutdownDone = true;
      app.quit();
    });
  });

  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with no window; elsewhere the last window closing ends the app.
    if (options.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    const window = options.window();
    if (window === null || window.isDestroyed()) options.createWindow();
    else showAndFocus(window);
  });

  return {
    get quitting() {
      return quitting;
    },
    attachWindow(window) {
      rendererReady = false;
      window.webContents.on('did-finish-load', () => {
        rendererReady = true;
        deliver();
      });
      window.on('close', (event) => {
        try {
          writeWindowState(options.stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
        } catch (error) {
          log('window_state.save_failed', { error: error instanceof Error ? error.name : 'unknown' });
        }
        if (!quitting && options.closeToTray()) {
          event.preventDefault();
          window.hide();
        }
      });
    },
  };
}
