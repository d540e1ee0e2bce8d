// Controlled updates: only when machine policy enables them, from IT's own feed; downloaded in the background,
// installed when the agent quits — never a forced restart in the middle of a conversation.
import type { EffectivePolicy } from './core/policy';

/** The part of electron-updater's autoUpdater used here (a fake stands in for tests). */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'update-downloaded' | 'error', listener: (arg: unknown) => void): unknown;
}

export interface UpdatesHandle {
  stop(): void;
}

const CHECK_EVERY_MS = 4 * 60 * 60 * 1000;

export function startUpdates(deps: {
  updater: () => UpdaterLike;
  policy: EffectivePolicy['updates'];
  log: (event: string, fields?: Record<string, unknown>) => void;
  onReady: () => void;
  every?: (ms: number, fn: () => void) => () => void;
}): UpdatesHandle | null {
  const { policy, log } = deps;
  if (!policy.enabled || policy.feedUrl === null) {
    log('updates.disabled', { reason: policy.enabled ? 'no feed' : 'policy' });
    return null; // not even loaded: a disabled updater makes no network calls
  }
  const updater = deps.updater();
  updater.setFeedURL({ provider: 'generic', url: policy.feedUrl, channel: policy.channel === 'stable' ? 'latest' : policy.channel });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.allowDowngrade = false;
  updater.on('update-downloaded', () => {
    log('updates.ready', {});
    deps.onReady();
  });
  updater.on('error', (error) => log('updates.error', { error: error instanceof Error ? error.message : 'unknown' }));
  const check = () =>
    void updater.checkForUpdates().catch((error: unknown) => log('updates.check_failed', { error: error instanceof Error ? error.message : 'unknown' }));
  check();
  const every =
    deps.every ??
    ((ms, fn) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      return () => clearInterval(timer);
    });
  const stopChecks = every(CHECK_EVERY_MS, check);
  return { stop: stopChecks };
}
