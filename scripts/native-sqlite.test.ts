import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { electronSqliteBindingPath, ensureElectronSqlite } from './native-sqlite.mjs';

const require = createRequire(import.meta.url);
const nodeBinding = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('native-module plan', () => {
  it('loads better-sqlite3 from a binding outside node_modules (how the Electron main process opens its cache)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'branchline-binding-'));
    const binding = path.join(dir, 'better_sqlite3.node');
    copyFileSync(nodeBinding, binding);
    const db = new Database(path.join(dir, 'cache.db'), { nativeBinding: binding });
    db.exec('CREATE TABLE t (x INTEGER)');
    db.prepare('INSERT INTO t VALUES (?)').run(42);
    expect(db.prepare('SELECT x FROM t').pluck().get()).toBe(42);
    db.close();
  });

  it('keys the Electron build by every input, so an upgrade builds a fresh one', () => {
    const base = {
      root: '/repo',
      electronVersion: '45.4.1',
      sqlitePackage: 'better-sqlite3-multiple-ciphers',
      sqliteVersion: '12.11.1',
      platform: 'linux',
      arch: 'x64',
    };
    const paths = new Set([
      electronSqliteBindingPath(base),
      electronSqliteBindingPath({ ...base, electronVersion: '46.0.0' }),
      electronSqliteBindingPath({ ...base, sqliteVersion: '12.12.0' }),
      // A checkout that built plain better-sqlite3 12.11.1 for Electron must not reuse it: it has no cipher.
      electronSqliteBindingPath({ ...base, sqlitePackage: 'better-sqlite3' }),
      electronSqliteBindingPath({ ...base, arch: 'arm64' }),
      electronSqliteBindingPath({ ...base, platform: 'win32' }),
    ]);
    expect(paths.size).toBe(6);
    expect(electronSqliteBindingPath(base)).toContain(path.join('node_modules', '.cache', 'branchline-native'));
  });

  describe('building the Electron copy', () => {
    const fakeRoot = () => {
      const root = mkdtempSync(path.join(tmpdir(), 'branchline-root-'));
      mkdirSync(path.join(root, 'node_modules', 'electron'), { recursive: true });
      writeFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), JSON.stringify({ version: '45.4.1' }));
      const sqlite = path.join(root, 'node_modules', 'better-sqlite3');
      mkdirSync(path.join(sqlite, 'build', 'Release'), { recursive: true });
      writeFileSync(path.join(sqlite, 'package.json'), JSON.stringify({ name: 'better-sqlite3-multiple-ciphers', version: '12.11.1' }));
      writeFileSync(path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'), 'node-abi-build');
      return { root, nodeBuild: path.join(sqlite, 'build', 'Release', 'better_sqlite3.node') };
    };

    it('builds for Electron in a staging copy and leaves the Node build alone', () => {
      const { root, nodeBuild } = fakeRoot();
      const before = sha(nodeBuild);
      const calls: { tool: string; args: string[]; cwd: string; nodedir: string | undefined }[] = [];
      const result = ensureElectronSqlite({
        root,
        log: () => {},
        run: ((tool: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => {
          calls.push({ tool, args, cwd: options.cwd, nodedir: options.env['npm_config_nodedir'] });
          mkdirSync(path.join(options.cwd, 'build', 'Release'), { recursive: true });
          writeFileSync(path.join(options.cwd, 'build', 'Release', 'better_sqlite3.node'), 'electron-abi-build');
          return { status: 0 };
        }) as never,
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(readFileSync(result.path, 'utf8')).toBe('electron-abi-build');
      expect(sha(nodeBuild)).toBe(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.args).toEqual(expect.arrayContaining(['--runtime=electron', '--target=45.4.1']));
      expect(calls[0]!.cwd).not.toBe(path.dirname(path.dirname(path.dirname(nodeBuild))));
      expect(calls[0]!.nodedir).toBe('');

      // Second start: nothing to build.
      const again = ensureElectronSqlite({
        root,
        log: () => {},
        run: (() => {
          throw new Error('must not rebuild');
        }) as never,
      });
      expect(again).toEqual(result);
    });

    it('falls back to compiling, and explains when neither route works', () => {
      const { root } = fakeRoot();
      const tools: string[] = [];
      const result = ensureElectronSqlite({
        root,
        log: () => {},
        run: ((tool: string) => {
          tools.push(tool);
          return { status: 1 };
        }) as never,
      });
      expect(tools).toEqual(['prebuild-install', 'node-gyp']);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.message).toContain('Electron 45.4.1');
      expect(result.message).toContain('ELECTRON_MIRROR');
      expect(existsSync(path.join(root, 'node_modules', '.cache', 'branchline-native'))).toBe(true);
    });
  });
});
