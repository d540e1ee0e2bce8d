// Finds the Electron executable the way the `electron` package does, without its download-and-throw.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** @param {NodeJS.Platform} platform */
export function platformExecutable(platform) {
  switch (platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

/**
 * @param {{ electronDir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform }} options
 * @returns {{ found: true, path: string } | { found: false, expectedPath: string }}
 */
export function locateElectronBinary({ electronDir, env, platform }) {
  const pathFile = path.join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : platformExecutable(platform);
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  const candidate = override ? path.join(override, relative) : path.join(electronDir, 'dist', relative);
  return existsSync(candidate) ? { found: true, path: candidate } : { found: false, expectedPath: candidate };
}

/**
 * What a newcomer reads when the binary is missing: why, and every way forward.
 * @param {{ expectedPath: string, version: string, reason: string }} details
 */
export function missingBinaryMessage({ expectedPath, version, reason }) {
  return [
    `Branchline cannot start: the Electron ${version} binary is not installed.`,
    `  expected at: ${expectedPath}`,
    `  why:         ${reason}`,
    '',
    'To install it:',
    '  npx install-electron                       download it for this platform (needs the Electron download host)',
    '  ELECTRON_MIRROR=https://mirror.example/electron/ npx install-electron',
    '                                             download from your company mirror instead',
    '  Offline: copy the release zip for this platform into a cache folder and point',
    '  electron_config_cache=<folder> at it, then run `npx install-electron`; or unpack it',
    '  anywhere and set ELECTRON_OVERRIDE_DIST_PATH=<folder>.',
    '',
    'Without Electron, the same console runs in a browser:',
    '  npm run preview:web',
    '',
    'See docs/development.md.',
  ].join('\n');
}
