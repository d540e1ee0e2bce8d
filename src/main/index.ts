// Electron main process: composes the console service with its Electron adapters. It decides nothing:
// each choice lives (and is tested) in the module it calls.
import path from 'node:path';
import tls from 'node:tls';
import { BrowserWindow, Menu, Notification, Tray, app, dialog, ipcMain, nativeImage, net, powerMonitor, protocol, safeStorage, screen, session, shell } from 'electron';
import { ConsoleService } from './core/console-service';
import { openLocalDatabase, type LocalDatabase } from './core/local-db';
import { LocalStore } from './core/local-store';
import { RelayConnection } from './core/relay-connection';
import { createRelayMediaClient } from './core/relay-media-client';
import { registerIpcBridge, type IpcBridge } from './ipc-bridge';
import { claimSingleInstance, installLifecycle, readWindowState } from './lifecycle';
import { RelayNetwork, loadCaBundle, watchNetwork } from './network';
import { attachNotifications } from './notifications';
import { SafeStorageTokenStore } from './secret-store';
import { appLocation, installSecurity, registerAppScheme } from './security';
import { BRAND_GREEN, UNREAD_RED, attachTrayBadge, circleBitmap } from './tray-badge';
import { secureWindowOptions } from './window-options';

/** JSON lines on stderr. Modules pass ids, codes and counts only: never a token, a name or a message body. */
function log(event: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), event, ...fields })}\n`);
}

const env = process.env;
// Tests (and IT) can keep this run's data apart from the agent's.
if (env['BRANCHLINE_USER_DATA_DIR'] !== undefined) app.setPath('userData', env['BRANCHLINE_USER_DATA_DIR']);
registerAppScheme(protocol);
if (claimSingleInstance(app)) main();

function main(): void {
  const userData = app.getPath('userData');
  const location = appLocation({ isPackaged: app.isPackaged, devServerUrl: env['ELECTRON_RENDERER_URL'] });
  const stateFile = path.join(userData, 'window-state.json');
  let window: BrowserWindow | null = null;
  let db: LocalDatabase | null = null;
  let service: ConsoleService | null = null;
  let bridge: IpcBridge | null = null;
  // Held here so neither is garbage-collected (a collected Tray disappears from the taskbar).
  let tray: Tray | null = null;

  const lifecycle = installLifecycle({
    app,
    platform: process.platform,
    argv: process.argv,
    window: () => window,
    createWindow: () => void (window = createWindow()),
    openConversation: (conversationId) => bridge?.emit('navigation.openConversation', { conversationId }),
    closeToTray: () => service?.settings().closeToTray ?? false,
    shutdown: async () => {
      await service?.stop(); // the outbox and the cursor are committed before the process ends
      db?.close();
    },
    stateFile,
    log,
  });

  function createWindow(): BrowserWindow {
    const state = readWindowState(stateFile, screen.getAllDisplays().map((display) => display.workArea));
    const created = new BrowserWindow({ ...secureWindowOptions(path.join(__dirname, '../preload/index.cjs')), ...state?.bounds });
    if (state?.maximized === true) created.maximize();
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (window === created) window = null;
    });
    lifecycle.attachWindow(created);
    void created.loadURL(location.url);
    return created;
  }

  void app.whenReady().then(async () => {
    installSecurity({ app, protocol, session: session.defaultSession, shell, rendererDir: path.join(__dirname, '../renderer'), appOrigin: location.origin, log });

    // The Electron build of better-sqlite3 (docs/development.md): shipped unpacked when packaged, built by the launcher in development.
    const nativeBinding = app.isPackaged ? path.join(process.resourcesPath, 'native', 'better_sqlite3.node') : env['BRANCHLINE_SQLITE_BINDING'];
    try {
      db = openLocalDatabase(userData, nativeBinding === undefined ? {} : { nativeBinding });
    } catch (error) {
      log('startup.database_failed', { error: error instanceof Error ? error.name : 'unknown' });
      dialog.showErrorBox('Branchline cannot open its data', error instanceof Error ? error.message : String(error));
      app.exit(1);
      return;
    }

    const tokens = new SafeStorageTokenStore({ safeStorage, file: path.join(userData, 'relay-token.bin'), platform: process.platform, log });
    // BRANCHLINE_CA_FILE stands in for the CA file machine policy will name.
    const network = new RelayNetwork({ session: session.defaultSession, ca: loadCaBundle({ tls, caFile: env['BRANCHLINE_CA_FILE'], log }), log });
    const running = new ConsoleService({
      store: new LocalStore(db),
      tokens,
      connect: network.connectionFactory((options) => new RelayConnection({ ...options, log })),
      media: createRelayMediaClient({ agent: network.agentFor }),
      policy: {},
      log,
    });
    service = running;

    const ourWindows = () => (window === null ? [] : [window]);
    bridge = registerIpcBridge({ ipcMain, service: running, windows: ourWindows, appOrigin: location.origin, log });
    const emit = bridge.emit;

    tray = new Tray(nativeImage.createFromBitmap(circleBitmap(32, BRAND_GREEN), { width: 32, height: 32, scaleFactor: 2 }));
    const badge = attachTrayBadge({
      service: running,
      app,
      platform: process.platform,
      tray,
      menu: Menu,
      window: () => window,
      overlayIcon: () => nativeImage.createFromBitmap(circleBitmap(32, UNREAD_RED), { width: 32, height: 32, scaleFactor: 2 }),
      quit: () => app.quit(),
      log,
    });
    attachNotifications({
      service: running,
      app,
      platform: process.platform,
      createNotification: Notification.isSupported() ? (options) => new Notification(options) : null,
      window: () => window,
      paused: () => badge.paused,
      emit,
      log,
    });
    watchNetwork({ powerMonitor, service: running, isOnline: () => net.isOnline(), log });

    window = createWindow();
    badge.refresh(true); // the overlay belongs to the window just created
    await running.start();
  });
}
