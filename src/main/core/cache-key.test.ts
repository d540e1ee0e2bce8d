import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKeyDir, headlessCacheKey, keyFileFor } from './cache-key';

const fresh = () => {
  const root = mkdtempSync(path.join(tmpdir(), 'branchline-keys-'));
  return { dataDir: path.join(root, 'data'), keyDir: path.join(root, 'config', 'branchline', 'cache-keys') };
};

describe('the headless cache key', () => {
  it('takes BRANCHLINE_CACHE_KEY when set, and writes no file', () => {
    const { dataDir, keyDir } = fresh();
    const hex = 'ab'.repeat(32);
    const key = headlessCacheKey({ env: { BRANCHLINE_CACHE_KEY: hex }, dataDir, keyDir });
    expect(key).toMatchObject({ created: false, storage: 'environment' });
    expect(key.key.toString('hex')).toBe(hex);
    expect(() => readdirSync(keyDir)).toThrow();
  });

  it('refuses a BRANCHLINE_CACHE_KEY that is not 256 bits, with words', () => {
    const { dataDir, keyDir } = fresh();
    expect(() => headlessCacheKey({ env: { BRANCHLINE_CACHE_KEY: 'secret' }, dataDir, keyDir })).toThrow(/64 hexadecimal digits/);
  });

  it('otherwise creates a key file only this user can read, outside the data folder, and reuses it', () => {
    const { dataDir, keyDir } = fresh();
    const first = headlessCacheKey({ env: {}, dataDir, keyDir });
    expect(first).toMatchObject({ created: true, storage: 'file', file: keyFileFor(keyDir, dataDir) });
    expect(path.relative(dataDir, first.file!).startsWith('..')).toBe(true);
    expect(readFileSync(first.file!, 'utf8').trim()).toBe(first.key.toString('hex'));
    if (process.platform !== 'win32') {
      expect(statSync(first.file!).mode & 0o777).toBe(0o600);
      expect(statSync(keyDir).mode & 0o777).toBe(0o700);
    }
    const again = headlessCacheKey({ env: {}, dataDir, keyDir });
    expect(again).toMatchObject({ created: false, storage: 'file' });
    expect(again.key.equals(first.key)).toBe(true);
    // Another data folder has a key of its own.
    const other = headlessCacheKey({ env: {}, dataDir: `${dataDir}-2`, keyDir });
    expect(other.key.equals(first.key)).toBe(false);
    expect(readdirSync(keyDir)).toHaveLength(2);
  });

  it('keeps key files in the per-user config folder of each platform', () => {
    expect(defaultKeyDir({}, 'linux', '/home/ana')).toBe(path.join('/home/ana', '.config', 'branchline', 'cache-keys'));
    expect(defaultKeyDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ana')).toBe(path.join('/cfg', 'branchline', 'cache-keys'));
    expect(defaultKeyDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana')).toBe(
      path.join('C:\\Users\\ana\\AppData\\Roaming', 'Branchline', 'cache-keys'),
    );
    expect(defaultKeyDir({}, 'darwin', '/Users/ana')).toBe(path.join('/Users/ana', 'Library', 'Application Support', 'Branchline', 'cache-keys'));
  });
});
