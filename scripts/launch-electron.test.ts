import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateElectronBinary, platformExecutable } from './electron-binary.mjs';

const repoRoot = path.resolve(import.meta.dirname, '..');

describe('npm start without the Electron binary', () => {
  // An empty override folder makes the binary absent on every machine, including ones that have it.
  const emptyDist = mkdtempSync(path.join(tmpdir(), 'branchline-no-electron-'));
  const run = () =>
    spawnSync('npm', ['start'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: emptyDist, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      timeout: 60_000,
    });

  it('explains what is missing and every way forward, and exits non-zero without a stack trace', () => {
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Branchline cannot start: the Electron');
    expect(result.stderr).toContain(path.join(emptyDist, platformExecutable(process.platform)));
    expect(result.stderr).toContain('ELECTRON_MIRROR');
    expect(result.stderr).toContain('electron_config_cache');
    expect(result.stderr).toContain('npm run preview:web');
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/^\s+at .+[:(]\d+/m);
  });
});

describe('locating the Electron binary', () => {
  const fakeElectronDir = (withBinary: boolean) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-electron-pkg-'));
    writeFileSync(path.join(dir, 'path.txt'), 'electron');
    if (withBinary) {
      mkdirSync(path.join(dir, 'dist'));
      writeFileSync(path.join(dir, 'dist', 'electron'), '');
    }
    return dir;
  };

  it('finds the binary the electron package unpacked', () => {
    const dir = fakeElectronDir(true);
    expect(locateElectronBinary({ electronDir: dir, env: {}, platform: 'linux' })).toEqual({
      found: true,
      path: path.join(dir, 'dist', 'electron'),
    });
  });

  it('reports where it expected the binary when the download never happened', () => {
    const dir = fakeElectronDir(false);
    expect(locateElectronBinary({ electronDir: dir, env: {}, platform: 'linux' })).toEqual({
      found: false,
      expectedPath: path.join(dir, 'dist', 'electron'),
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as the electron package does', () => {
    const dir = fakeElectronDir(false);
    const override = mkdtempSync(path.join(tmpdir(), 'branchline-electron-dist-'));
    writeFileSync(path.join(override, 'electron'), '');
    expect(locateElectronBinary({ electronDir: dir, env: { ELECTRON_OVERRIDE_DIST_PATH: override }, platform: 'linux' })).toEqual({
      found: true,
      path: path.join(override, 'electron'),
    });
  });

  it.each([
    ['linux', 'electron'],
    ['win32', 'electron.exe'],
    ['darwin', 'Electron.app/Contents/MacOS/Electron'],
  ] as const)('knows the executable name on %s', (platform, name) => {
    expect(platformExecutable(platform)).toBe(name);
  });
});
