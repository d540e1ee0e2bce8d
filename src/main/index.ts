// Electron main process: composes the console service with its Electron adapters. It decides nothing:
// each choice lives (and is tested) in the module it calls.
import path from 'node:path';
import tls from 'node:tls';
import electronUpdater from 'electron-updater';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { createLogger } from '../shared/structured-log';
import { createConsole, type Console } from './core/create-console';
import { launchOptions } from './core/launch-options';
import { loadPolicyFile } from './core/policy';
import { RelayNetwork, loadCaBundle } from './core/relay-network';
import { RotatingLogFile } from './core/rotating-log';
import { registerIpcBridge, type IpcBridge } from './ipc-bridge';
import { claimSingleInstance, installLifecycle, readWindowState } from './lifecycle';
import { watchNetwork } from './network';
import { attachNotifications } from './notifications';
import { loadDesktopCacheKey } from './cache-key-store';
import { SafeStorageTokenStore } from './secret-store';
import { downloadDialogs, installDownloadPolicy } from './downloads';
import { appLocation, installSecurity, registerAppScheme } from './security';
import { BRAND_GREEN, UNREAD_RED, attachTrayBadge, circleBitmap } from './tray-badge';
import { startUpdates } from './updater';
import { secureWindowOptions } from './window-options';

// First: what the environment and switches may change (in a packaged build nothing; debugging switches stop it).
const launch = launchOptions({
  isPackaged: app.isPackaged,
  env: process.env,
  argv: process.argv,
  platform: process.platform,
  resourcesPath: process.resourcesPath,
});
// Machine policy (docs/it-guide.md): read once at start; problems are logged and shown in the UI.
const loadedPolicy = loadPolicyFile(launch.policyFile);
const policy = loadedPolicy.policy;
const logFile = new RotatingLogFile(app.getPath('logs'));
/** JSON lines to the OS's log folder (rotated) and stderr, through the shared redaction rules. */
const logger = createLogger({
  level: policy.logging.level,
  write: (line) => {
    logFile.write(line);
    process.stderr.write(line);
  },
  pseudonym: () => '[customer]',
});
function log(event: string, fields: Record<string, unknown> = {}): void {
  logger.info(event, fields);
}
for (const problem of loadedPolicy.problems) logger.warn('policy.problem', { key: problem.key, detail: problem.message });
if (launch.ignoredOverrides.length > 0) logger.warn('startup.overrides_ignored', { variables: launch.ignoredOverrides });

if (launch.refusedSwitch !== null) {
  // Before any window or data exists; the log line reaches the file before the process ends.
  logger.error('startup.debug_switch_refused', { switch: launch.refusedSwitch });
  void logFile.close().then(() => app.exit(1));
} else {
  // Development runs and tests keep their data apart from the agent's.
  if (launch.userDataDir !== null) app.setPath('userData', launch.userDataDir);
  registerAppScheme(protocol);
  if (claimSingleInstance(app)) main();
}

function main(): void {
  const userData = app.getPath('userData');
  const location = appLocation({ isPackaged: app.isPackaged, devServerUrl: launch.devServerUrl });
  const stateFile = path.join(userData, 'window-state.json');
  let window: BrowserWindow | null = null;
  let running: Console | null = null;
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
    closeToTray: () => running?.settings().closeToTray ?? false,
    shutdown: async () => {
      await running?.stop(); // the outbox and the cursor are committed before the process ends
      await logFile.close();
    },
    stateFile,
    log,
  });

  function createWindow(): BrowserWindow {
    const state = readWindowState(
      stateFile,
      screen.getAllDisplays().map((display) => display.workArea),
    );
    const created = new BrowserWindow({
      ...secureWindowOptions(path.join(__dirname, '../preload/index.cjs'), { devTools: launch.devTools }),
      ...state?.bounds,
    });
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
    installSecurity({
      app,
      protocol,
      session: session.defaultSession,
      shell,
      rendererDir: path.join(__dirname, '../renderer'),
      appOrigin: location.origin,
      log,
    });
    installDownloadPolicy(session.defaultSession, { dialogs: downloadDialogs(dialog), log });

    // The Electron build of better-sqlite3 (docs/development.md): shipped unpacked when packaged, built by the launcher in development.
    const nativeBinding = launch.sqliteBinding;
    const tokens = new SafeStorageTokenStore({ safeStorage, file: path.join(userData, 'relay-token.bin'), platform: process.platform, log });
    let updateReady = false;
    let core: Console;
    try {
      core = createConsole({
        dataDir: userData,
        ...(nativeBinding !== undefined && { nativeBinding }),
        // Wrapped by the keychain; memory only where Linux has no keyring (the cache is then disposable).
        cacheKey: loadDesktopCacheKey({ safeStorage, file: path.join(userData, 'cache-key.bin'), platform: process.platform, log }),
        tokens,
        // Single sign-on in the system browser (RFC 8252); the core opens only http(s) URLs.
        sso: { openExternal: (url) => shell.openExternal(url) },
        network: new RelayNetwork({ session: session.defaultSession, ca: loadCaBundle({ tls, caFile: policy.network.caFile ?? undefined, log }), log }),
        policy: loadedPolicy,
        log,
        hostStatus: () => ({
          version: app.getVersion(),
          policyProblems: loadedPolicy.problems,
          tokenStorage: tokens.weakStorage ? 'memory_only' : 'secure',
          updateReady,
        }),
        diagnostics: {
          logFiles: () => logFile.files(),
          versions: {
            app: app.getVersion(),
            electron: process.versions.electron ?? '',
            chrome: process.versions.chrome ?? '',
            node: process.versions.node,
            os: `${process.platform} ${process.arch}`,
          },
        },
      });
    } catch (error) {
      log('startup.database_failed', { error: error instanceof Error ? error.name : 'unknown' });
      dialog.showErrorBox('Branchline cannot open its data', error instanceof Error ? error.message : String(error));
      app.exit(1);
      return;
    }
    running = core;
    startUpdates({
      updater: () => electronUpdater.autoUpdater,
      policy: policy.updates,
      log,
      onReady: () => {
        updateReady = true;
        core.appStatusChanged();
      },
    });

    const ourWindows = () => (window === null ? [] : [window]);
    bridge = registerIpcBridge({ ipcMain, service: core.service, windows: ourWindows, appOrigin: location.origin, log });
    const emit = bridge.emit;

    tray = new Tray(nativeImage.createFromBitmap(circleBitmap(32, BRAND_GREEN), { width: 32, height: 32, scaleFactor: 2 }));
    const badge = attachTrayBadge({
      service: core,
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
      service: core,
      app,
      platform: process.platform,
      createNotification: Notification.isSupported() ? (options) => new Notification(options) : null,
      window: () => window,
      paused: () => badge.paused,
      emit,
      log,
    });
    watchNetwork({ powerMonitor, service: core, isOnline: () => net.isOnline(), log });

    window = createWindow();
    badge.refresh(true); // the overlay belongs to the window just created
    await core.start();
  });
}
