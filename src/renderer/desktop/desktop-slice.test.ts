import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { AppState, StoreDeps } from '../store/app-state';
import { createDesktopSlice, type DesktopSlice } from './desktop-slice';

function store(api: Partial<Record<string, (input: unknown) => Promise<unknown>>>) {
  const urls: string[] = [];
  const deps = {
    api: api as unknown as StoreDeps['api'],
    clock: { wallNow: () => 0, setTimer: () => () => {} },
    toObjectUrl: (data: string) => `blob:${data}`,
    revokeObjectUrl: (url: string) => urls.push(url),
  } satisfies StoreDeps;
  return { s: createStore<DesktopSlice>()((set, get) => createDesktopSlice(set as never, get as never as () => AppState, deps)), revoked: urls };
}

describe('desktop slice', () => {
  it('loads the desktop status and applies later changes', async () => {
    const status = {
      version: '0.1.0',
      policyProblems: [{ key: 'retention.days', message: 'too small' }],
      tokenStorage: 'memory_only',
      notificationPrivacyLocked: false,
      updateReady: false,
    };
    const { s } = store({ 'app.status': async () => status });
    await s.getState().loadAppStatus();
    expect(s.getState().appStatus).toEqual(status);
    s.getState().applyAppStatus({ ...status, updateReady: true } as never);
    expect(s.getState().appStatus?.updateReady).toBe(true);
  });

  it('exports diagnostics as a downloadable zip, and says why when it cannot', async () => {
    let fail = false;
    const { s, revoked } = store({
      'diagnostics.export': async () => {
        if (fail) throw Object.assign(new Error('not here'), { code: 'unavailable' });
        return { fileName: 'branchline-diagnostics.zip', dataBase64: 'UEsFBg==' };
      },
    });
    await s.getState().exportDiagnostics();
    expect(s.getState().diagnostics).toEqual({ state: 'done', message: null, url: 'blob:UEsFBg==', fileName: 'branchline-diagnostics.zip' });
    fail = true;
    await s.getState().exportDiagnostics();
    expect(revoked).toEqual(['blob:UEsFBg==']);
    expect(s.getState().diagnostics.state).toBe('failed');
    expect(s.getState().diagnostics.message).toBeTruthy();
  });
});
