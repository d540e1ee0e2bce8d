// `npm start` / `npm run dev`: checks that Electron can run here, prepares its native modules, starts the app.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateElectronBinary, missingBinaryMessage } from './electron-binary.mjs';
import { ensureElectronSqlite } from './native-sqlite.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const mode = process.argv[2] === 'dev' ? 'dev' : 'preview';

/** @param {string} text @returns {never} */
function exitWith(text) {
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

/** @returns {string} */
function electronVersion() {
  try {
    return /** @type {{version: string}} */ (JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8'))).version;
  } catch {
    return exitWith('Branchline cannot start: the electron package is not installed. Run `npm install` first.');
  }
}

const version = electronVersion();
let located = locateElectronBinary({ electronDir, env: process.env, platform: process.platform });

if (!located.found && !process.env['ELECTRON_SKIP_BINARY_DOWNLOAD'] && !process.env['ELECTRON_OVERRIDE_DIST_PATH']) {
  // Electron 45 downloads its binary on first use; do it here, once, where a failure can be explained.
  process.stderr.write(`Downloading the Electron ${version} binary (once)...\n`);
  const download = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { encoding: 'utf8', timeout: 10 * 60_000 });
  located = locateElectronBinary({ electronDir, env: process.env, platform: process.platform });
  if (!located.found) {
    const firstLine = `${download.stderr ?? ''}`.split('\n').find((line) => line.trim() !== '') ?? 'the download did not finish';
    exitWith(missingBinaryMessage({ expectedPath: located.expectedPath, version, reason: `download failed: ${firstLine.trim()}` }));
  }
}

if (!located.found) {
  const reason = process.env['ELECTRON_OVERRIDE_DIST_PATH']
    ? 'ELECTRON_OVERRIDE_DIST_PATH points at a folder without it'
    : 'ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded';
  exitWith(missingBinaryMessage({ expectedPath: located.expectedPath, version, reason }));
}

const sqlite = ensureElectronSqlite({ root, log: (line) => process.stderr.write(`${line}\n`) });
if (!sqlite.ok) exitWith(sqlite.message);

const child = spawn('electron-vite', [mode], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
  env: { ...process.env, BRANCHLINE_SQLITE_BINDING: sqlite.path },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
