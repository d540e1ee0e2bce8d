// The OS saying the network is back: wake, unlock and online changes reach the console once each.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchNetwork } from './network';
import { FakePowerMonitor } from './test-support/fake-electron';

afterEach(() => {
  vi.useRealTimers();
});

describe('network signals', () => {
  function watch(online = true) {
    const powerMonitor = new FakePowerMonitor();
    const service = { networkChanged: vi.fn() };
    let isOnline = online;
    vi.useFakeTimers();
    const stop = watchNetwork({ powerMonitor, service, isOnline: () => isOnline, pollMs: 1_000 });
    return { powerMonitor, service, stop, setOnline: (value: boolean) => (isOnline = value) };
  }

  it('wake and unlock tell the service the network is back (retry now)', () => {
    const { powerMonitor, service } = watch();
    powerMonitor.emit('resume');
    powerMonitor.emit('unlock-screen');
    expect(service.networkChanged.mock.calls).toEqual([[true], [true]]);
  });

  it('online and offline changes are forwarded once each', () => {
    const { service, setOnline } = watch();
    vi.advanceTimersByTime(3_000);
    expect(service.networkChanged).not.toHaveBeenCalled();
    setOnline(false);
    vi.advanceTimersByTime(3_000);
    setOnline(true);
    vi.advanceTimersByTime(1_000);
    expect(service.networkChanged.mock.calls).toEqual([[false], [true]]);
  });

  it('starting offline says so at once', () => {
    const { service } = watch(false);
    expect(service.networkChanged.mock.calls).toEqual([[false]]);
  });

  it('stops listening when stopped', () => {
    const { powerMonitor, service, stop, setOnline } = watch();
    stop();
    powerMonitor.emit('resume');
    setOnline(false);
    vi.advanceTimersByTime(5_000);
    expect(service.networkChanged).not.toHaveBeenCalled();
    expect(powerMonitor.listenerCount('resume')).toBe(0);
  });
});
