// The console's files under a permissive umask: every folder it makes is 0700 and every file 0600, database companions included.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modesUnder as modes } from '../node-shared/test-support/file-modes';
import { openLocalStore } from './core/local-store';
import { RotatingLogFile } from './core/rotating-log';
import { writeWindowState } from './lifecycle';
import { SafeStorageTokenStore } from './secret-store';
import { FakeSafeStorage } from './test-support/fake-electron';

const T0 = Date.UTC(2026, 10, 24, 9);
let umask: number;
beforeEach(() => {
  umask = process.umask(0o000);
});
afterEach(() => {
  process.umask(umask);
});

describe.skipIf(process.platform === 'win32')('console file modes under umask 000', () => {
  it('makes the data folder 0700 and the cache, its -wal/-shm, media, logs, token and window state 0600', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'branchline-modes-'));
    const userData = path.join(root, 'userData');
    const store = openLocalStore(userData);
    store.media.put('m1', { mimeType: 'application/pdf', fileName: 'statement.pdf', bytes: Buffer.from('%PDF statement') }, T0);
    const logs = new RotatingLogFile(path.join(userData, 'logs'), { maxBytes: 64, keep: 2 });
    for (let i = 0; i < 5; i += 1) logs.write(`${JSON.stringify({ event: 'x', i, pad: 'y'.repeat(40) })}\n`); // rotated at least once
    await logs.close();
    await new SafeStorageTokenStore({ safeStorage: new FakeSafeStorage(), file: path.join(userData, 'relay-token.bin'), platform: 'linux' }).save(
      'blt_agent_0123456789abcdef',
    );
    writeWindowState(path.join(userData, 'window-state.json'), { bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: false });

    const found = modes(root);
    expect(Object.keys(found)).toEqual(
      expect.arrayContaining([
        'userData',
        'userData/console.db',
        'userData/console.db-wal',
        'userData/console.db-shm',
        'userData/media',
        'userData/logs',
        'userData/logs/branchline.log',
        'userData/logs/branchline.log.1',
        'userData/relay-token.bin',
        'userData/window-state.json',
      ]),
    );
    for (const [entry, mode] of Object.entries(found)) {
      expect({ entry, mode }).toEqual({ entry, mode: statSync(path.join(root, entry)).isDirectory() ? '700' : '600' });
    }
    expect(readdirSync(path.join(userData, 'media'))).toHaveLength(1);
    store.close();
  });

  it('tightens a cache folder an older version left 0755 with a 0644 database', () => {
    const userData = path.join(mkdtempSync(path.join(tmpdir(), 'branchline-modes-')), 'userData');
    openLocalStore(userData).close();
    chmodSync(userData, 0o755);
    chmodSync(path.join(userData, 'console.db'), 0o644);
    mkdirSync(path.join(userData, 'logs'), { mode: 0o755 });
    writeFileSync(path.join(userData, 'logs', 'branchline.log'), 'old\n', { mode: 0o644 });
    const store = openLocalStore(userData);
    void new RotatingLogFile(path.join(userData, 'logs')).close();
    expect(modes(userData)).toMatchObject({ 'console.db': '600', logs: '700', 'logs/branchline.log': '600' });
    expect((statSync(userData).mode & 0o777).toString(8)).toBe('700');
    store.close();
  });
});
