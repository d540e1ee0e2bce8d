import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadDesktopCacheKey } from './cache-key-store';
import { FakeSafeStorage } from './test-support/fake-electron';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(configure: (s: FakeSafeStorage) => void = () => {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-cachekey-'));
  dirs.push(dir);
  const safeStorage = new FakeSafeStorage();
  configure(safeStorage);
  const log = vi.fn();
  const file = path.join(dir, 'userData', 'cache-key.bin');
  return { safeStorage, file, log, load: (platform: NodeJS.Platform = 'linux') => loadDesktopCacheKey({ safeStorage, file, platform, log }) };
}

describe('the desktop cache key', () => {
  it('is made once, kept wrapped by the keychain in a private file, and the same after a restart', () => {
    const { file, load } = setup();
    const first = load();
    expect(first).toMatchObject({ created: true, storage: 'keychain' });
    expect(first.key).toHaveLength(32);
    expect(readFileSync(file).toString('latin1')).not.toContain(first.key.toString('hex'));
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = load();
    expect(again).toMatchObject({ created: false, storage: 'keychain' });
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('on Linux without a keyring (basic_text) lives in memory only: no file, a new key (and so a new cache) each start', () => {
    const { file, load, log } = setup((s) => (s.backend = 'basic_text'));
    const first = load();
    const second = load();
    expect(first).toMatchObject({ created: true, storage: 'memory' });
    expect(second.key.equals(first.key)).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(log).toHaveBeenCalledWith('cache.key_memory_only', expect.objectContaining({ effect: expect.stringContaining('discarded') }));
  });

  it('makes a new key when the keychain can no longer unwrap the old one (a reset keyring, a copied profile)', () => {
    const { file, load, log } = setup();
    const first = load();
    writeFileSync(file, 'wrapped by another keychain');
    const next = load();
    expect(next.created).toBe(true);
    expect(next.key.equals(first.key)).toBe(false);
    expect(log).toHaveBeenCalledWith('cache.key_unreadable', expect.anything());
    expect(load().key.equals(next.key)).toBe(true);
  });
});
