import { describe, expect, it } from 'vitest';
import { secureWindowOptions } from './window-options';

describe('window options', () => {
  const prefs = secureWindowOptions('/app/out/preload/index.cjs', { devTools: false }).webPreferences ?? {};

  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['webviewTag', false],
    ['experimentalFeatures', false],
  ] as const)('sets %s to %s', (key, value) => {
    expect(prefs[key]).toBe(value);
  });

  it('opens DevTools only where launch options allow it (never in a packaged build)', () => {
    expect(prefs.devTools).toBe(false);
    expect(secureWindowOptions('/app/out/preload/index.cjs', { devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('loads the bundled preload it is given', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
  });
});
