// The real Electron app. Runs wherever the Electron binary is installed; skipped (with that reason) elsewhere.
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { locateElectronBinary } from '../../scripts/electron-binary.mjs';

const electronDir = path.resolve('node_modules/electron');
const binary = locateElectronBinary({ electronDir, env: process.env, platform: process.platform });

test.skip(!binary.found, 'needs the Electron binary (not installed: see docs/development.md); the renderer is covered in Chromium instead');

test('opens the Branchline window, whose renderer has no Node', async () => {
  const app = await electron.launch({ args: ['.'], executablePath: binary.found ? binary.path : undefined });
  try {
    const window = await app.firstWindow();
    await expect(window).toHaveTitle('Branchline');
    // With nodeIntegration off and the sandbox on, the page sees neither require nor process.
    const globals = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined' });
  } finally {
    await app.close();
  }
});
