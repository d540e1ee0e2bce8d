// `npm run dist:<win|mac|linux>`: builds installers with electron-builder, after checking what it needs is at hand.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronSqlite } from './native-sqlite.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = { win: 'win32', mac: 'darwin', linux: 'linux' };

/** @param {string} text @returns {never} */
function fail(text) {
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

/** Where @electron/get keeps downloaded releases. */
export function electronCacheDir(env = process.env, platform = process.platform) {
  if (env['electron_config_cache']) return env['electron_config_cache'];
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'electron');
  if (platform === 'win32') return path.join(env['LOCALAPPDATA'] ?? os.homedir(), 'electron', 'Cache');
  return path.join(env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'electron');
}

/** Whether the release zip is in the cache (directly or one folder down, as newer @electron/get stores it). @param {string} dir @param {string} zip */
export function cachedRelease(dir, zip) {
  if (!existsSync(dir)) return false;
  if (existsSync(path.join(dir, zip))) return true;
  return readdirSync(dir).some((entry) => {
    const sub = path.join(dir, entry);
    return statSync(sub).isDirectory() && existsSync(path.join(sub, zip));
  });
}

const target = process.argv[2];
if (target === undefined || !(target in TARGETS)) fail('Usage: npm run dist:win | dist:mac | dist:linux   (see docs/it-guide.md and docs/release.md)');
const platform = TARGETS[/** @type {keyof typeof TARGETS} */ (target)];
if (platform !== process.platform) {
  fail(
    `Build ${target} installers on ${target}: the Electron build of better-sqlite3 must be compiled for that OS. The release workflow (.github/workflows/release.yml) runs each on its own runner.`,
  );
}

const version = /** @type {{version: string}} */ (JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'))).version;
const zip = `electron-v${version}-${platform}-${process.arch}.zip`;
const cache = electronCacheDir();
if (!process.env['ELECTRON_MIRROR'] && !cachedRelease(cache, zip)) {
  fail(
    [
      `Cannot package: electron-builder needs the Electron ${version} release (${zip}),`,
      `which is not in the cache (${cache}) and, with no ELECTRON_MIRROR set, would be downloaded from GitHub.`,
      '',
      '  ELECTRON_MIRROR=https://mirror.example/electron/ npm run dist:' + target + '   use your mirror',
      `  or copy ${zip} into ${cache} (electron_config_cache=<folder> to use another)`,
      '  or let the release workflow build it (docs/release.md).',
    ].join('\n'),
  );
}

/** @param {string} command @param {string[]} args */
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status}); see its output above.`);
};
run('npx', ['electron-vite', 'build']);
const sqlite = ensureElectronSqlite({ root, log: (line) => process.stderr.write(`${line}\n`) });
if (!sqlite.ok) fail(sqlite.message);
mkdirSync(path.join(root, 'build', 'native'), { recursive: true });
copyFileSync(sqlite.path, path.join(root, 'build', 'native', 'better_sqlite3.node'));
run('npx', ['electron-builder', '--config', 'electron-builder.config.cjs', `--${target}`, '--publish', 'never']);
