// The options every Branchline window is created with: Electron's security checklist in one place.
import type { BrowserWindowConstructorOptions } from 'electron';

/** `devTools` comes from core/launch-options.ts: false in a packaged build, which also disables its menu item and shortcuts. */
export function secureWindowOptions(preloadPath: string, options: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Branchline',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: true,
      devTools: options.devTools,
    },
  };
}
