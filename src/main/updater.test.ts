import { describe, expect, it } from 'vitest';
import { startUpdates, type UpdaterLike } from './updater';

function fakeUpdater() {
  const listeners = new Map<string, (arg: unknown) => void>();
  const calls: string[] = [];
  const updater: UpdaterLike & { quitAndInstall: () => void } = {
    autoDownload: false,
    autoInstallOnAppQuit: false,
    allowDowngrade: true,
    setFeedURL: (o) => void calls.push(`feed ${o.url} ${o.channel}`),
    checkForUpdates: async () => void calls.push('check'),
    on: (event, listener) => listeners.set(event, listener),
    quitAndInstall: () => void calls.push('quitAndInstall'),
  };
  return { updater, calls, fire: (event: string, arg?: unknown) => listeners.get(event)?.(arg) };
}

describe('updates', () => {
  it('does nothing at all when policy has not enabled them', () => {
    const { updater, calls } = fakeUpdater();
    let loaded = false;
    const handle = startUpdates({
      updater: () => ((loaded = true), updater),
      policy: { enabled: false, feedUrl: 'https://updates.bank.example', channel: 'stable' },
      log: () => {},
      onReady: () => {},
    });
    expect(handle).toBeNull();
    expect(loaded).toBe(false);
    expect(calls).toEqual([]);
  });

  it("checks IT's feed in the background, installs on quit, and never restarts the app itself", async () => {
    const { updater, calls, fire } = fakeUpdater();
    let ready = 0;
    const timers: (() => void)[] = [];
    const handle = startUpdates({
      updater: () => updater,
      policy: { enabled: true, feedUrl: 'https://updates.bank.example/branchline', channel: 'beta' },
      log: () => {},
      onReady: () => void ready++,
      every: (_ms, fn) => (timers.push(fn), () => {}),
    });
    expect(handle).not.toBeNull();
    expect(calls[0]).toBe('feed https://updates.bank.example/branchline beta');
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, allowDowngrade: false });
    timers[0]!();
    await Promise.resolve();
    expect(calls.filter((c) => c === 'check')).toHaveLength(2);
    fire('update-downloaded');
    expect(ready).toBe(1);
    expect(calls).not.toContain('quitAndInstall');
  });
});
