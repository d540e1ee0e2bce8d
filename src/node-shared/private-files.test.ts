import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePrivateDir, makePrivateDirAsync, preparePrivateDatabase, readableByOthers } from './private-files';

const modeOf = (p: string) => statSync(p).mode & 0o777;
let umask: number;
// The permissive umask a misconfigured service account may have: nothing masked, so only our own modes protect the data.
beforeEach(() => {
  umask = process.umask(0o000);
});
afterEach(() => {
  process.umask(umask);
});
const scratch = () => mkdtempSync(path.join(tmpdir(), 'branchline-private-'));

describe('private files under umask 000', () => {
  it('makes a new folder 0700, and tightens one an older version left 0755, leaving its parent alone', async () => {
    const root = scratch();
    chmodSync(root, 0o755);
    makePrivateDir(path.join(root, 'fresh'));
    mkdirSync(path.join(root, 'old'), { mode: 0o755 });
    makePrivateDir(path.join(root, 'old'));
    await makePrivateDirAsync(path.join(root, 'async'));
    expect([modeOf(path.join(root, 'fresh')), modeOf(path.join(root, 'old')), modeOf(path.join(root, 'async'))]).toEqual([0o700, 0o700, 0o700]);
    expect(modeOf(root)).toBe(0o755);
  });

  it('gives a new SQLite database and the -wal and -shm files SQLite makes itself 0600', () => {
    const file = path.join(scratch(), 'test.db');
    preparePrivateDatabase(file);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('IBAN IL62 0108')");
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    expect(db.prepare('SELECT x FROM t').pluck().get()).toBe('IBAN IL62 0108');
    db.close();
  });

  it('tightens a database an older version left 0644, with its -wal and -shm', () => {
    const file = path.join(scratch(), 'old.db');
    const older = new Database(file);
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE t (x TEXT)');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
    preparePrivateDatabase(file);
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    older.close();
  });
});

describe('readableByOthers', () => {
  it('is true when group or others may read the file, false for 0600, a missing file, and on Windows', () => {
    const file = path.join(scratch(), 'relay.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    expect(readableByOthers(file, 'linux')).toBe(true);
    expect(readableByOthers(file, 'win32')).toBe(false);
    chmodSync(file, 0o640);
    expect(readableByOthers(file, 'linux')).toBe(true);
    chmodSync(file, 0o600);
    expect(readableByOthers(file, 'linux')).toBe(false);
    expect(readableByOthers(path.join(scratch(), 'missing.json'), 'linux')).toBe(false);
  });
});
