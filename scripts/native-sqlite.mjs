// The native-module plan: better-sqlite3 (installed as better-sqlite3-multiple-ciphers, for SQLCipher) compiled for
// Electron's ABI in a cache folder of its own, so node_modules keeps the build for plain Node and `npm test` and `npm start` both work.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/** @param {string} file */
function readPackage(file) {
  return /** @type {{ name: string, version: string }} */ (JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * Where the Electron build of better-sqlite3 lives. The name carries every input of the build,
 * so upgrading Electron or the SQLite package, or switching package (plain better-sqlite3 and its SQLCipher
 * build share version numbers) or arch, builds a fresh one.
 * @param {{ root: string, electronVersion: string, sqlitePackage: string, sqliteVersion: string, platform: string, arch: string }} o
 */
export function electronSqliteBindingPath({ root, electronVersion, sqlitePackage, sqliteVersion, platform, arch }) {
  const key = `${sqlitePackage}-${sqliteVersion}-electron-${electronVersion}-${platform}-${arch}`;
  return path.join(root, 'node_modules', '.cache', 'branchline-native', key, 'better_sqlite3.node');
}

/**
 * Builds the Electron copy once if it is missing and returns its path. The build happens in a
 * staging copy of the package; node_modules/better-sqlite3 (the Node build) is never touched.
 * @param {{ root: string, log: (line: string) => void, run?: typeof spawnSync }} o
 * @returns {{ ok: true, path: string } | { ok: false, message: string }}
 */
export function ensureElectronSqlite({ root, log, run = spawnSync }) {
  const sqliteDir = path.join(root, 'node_modules', 'better-sqlite3');
  const electronVersion = readPackage(path.join(root, 'node_modules', 'electron', 'package.json')).version;
  const { name: sqlitePackage, version: sqliteVersion } = readPackage(path.join(sqliteDir, 'package.json'));
  const target = electronSqliteBindingPath({ root, electronVersion, sqlitePackage, sqliteVersion, platform: process.platform, arch: process.arch });
  if (existsSync(target)) return { ok: true, path: target };

  log(`Building ${sqlitePackage} ${sqliteVersion} for Electron ${electronVersion} (once; about a minute)...`);
  const staging = path.join(path.dirname(target), 'staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.dirname(staging), { recursive: true });
  cpSync(sqliteDir, staging, { recursive: true, filter: (src) => !src.startsWith(path.join(sqliteDir, 'build')) });

  const electronArgs = [`--runtime=electron`, `--target=${electronVersion}`, `--arch=${process.arch}`];
  const attempts = [
    // A prebuilt binary for this Electron, when the prebuild host is reachable.
    ['prebuild-install', [...electronArgs]],
    // Otherwise compile against Electron's headers.
    ['node-gyp', ['rebuild', '--release', ...electronArgs, '--dist-url=https://electronjs.org/headers']],
  ];
  for (const [tool, args] of attempts) {
    // Run from `npm start`, so npm has put node_modules/.bin and its own node-gyp on PATH.
    // nodedir is cleared: a nodedir for Node's headers (as CI machines set) would build for the wrong ABI.
    const result = run(/** @type {string} */ (tool), /** @type {string[]} */ (args), {
      cwd: staging,
      stdio: 'inherit',
      shell: process.platform === 'win32',
      env: { ...process.env, npm_config_nodedir: '' },
    });
    const built = path.join(staging, 'build', 'Release', 'better_sqlite3.node');
    if (result.status === 0 && existsSync(built)) {
      renameSync(built, target);
      rmSync(staging, { recursive: true, force: true });
      return { ok: true, path: target };
    }
  }
  rmSync(staging, { recursive: true, force: true });
  return {
    ok: false,
    message:
      `Could not build ${sqlitePackage} for Electron ${electronVersion}: neither a prebuilt binary nor Electron's ` +
      'headers could be fetched. Set ELECTRON_MIRROR / npm_config_disturl for your mirror, or see docs/development.md.',
  };
}
