// The OS saying the network is back (wake, unlock, online): the console retries now instead of waiting out its backoff.
import type { Console } from './core/create-console';

type Log = (event: string, fields?: Record<string, unknown>) => void;

const DEFAULT_ONLINE_POLL_MS = 2_000;

export interface PowerMonitorLike {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface NetworkWatchOptions {
  powerMonitor: PowerMonitorLike;
  service: Pick<Console, 'networkChanged'>;
  /** Electron's net.isOnline(). */
  isOnline: () => boolean;
  pollMs?: number;
  log?: Log;
}

/**
 * Wake and unlock mean "try now" (the link is probably dead and the backoff may be long);
 * online/offline is polled, since the main process has no event for it. Returns a stop function.
 */
export function watchNetwork(options: NetworkWatchOptions): () => void {
  const log = options.log ?? (() => {});
  const back = (why: string) => () => {
    log('network.signal', { why });
    options.service.networkChanged(true);
  };
  const onResume = back('resume');
  const onUnlock = back('unlock-screen');
  options.powerMonitor.on('resume', onResume);
  options.powerMonitor.on('unlock-screen', onUnlock);

  let online = options.isOnline();
  if (!online) options.service.networkChanged(false);
  const timer = setInterval(() => {
    const now = options.isOnline();
    if (now === online) return;
    online = now;
    log('network.signal', { why: now ? 'online' : 'offline' });
    options.service.networkChanged(now);
  }, options.pollMs ?? DEFAULT_ONLINE_POLL_MS);
  timer.unref?.();

  return () => {
    clearInterval(timer);
    options.powerMonitor.removeListener('resume', onResume);
    options.powerMonitor.removeListener('unlock-screen', onUnlock);
  };
}
