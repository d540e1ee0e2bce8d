import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SafeStorageTokenStore, weakStorageReason } from './secret-store';
import { FakeSafeStorage } from './test-support/fake-electron';

const TOKEN = 'blt_agent_0123456789abcdef';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(platform: NodeJS.Platform = 'linux', configure: (s: FakeSafeStorage) => void = () => {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-secrets-'));
  dirs.push(dir);
  const safeStorage = new FakeSafeStorage();
  configure(safeStorage);
  const log = vi.fn();
  const file = path.join(dir, 'userData', 'relay-token.bin');
  const store = new SafeStorageTokenStore({ safeStorage, file, platform, log });
  return { store, safeStorage, file, log };
}

describe('token store on safeStorage', () => {
  it('saves the token encrypted in a file only this user can read, and loads it back', async () => {
    const { store, file } = setup('linux');
    await store.save(TOKEN);
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(store.weakStorage).toBe(false);
    // A new store, as after a restart, reads the same file.
    const again = new SafeStorageTokenStore({ safeStorage: new FakeSafeStorage(), file, platform: 'linux' });
    expect(await again.load()).toBe(TOKEN);
  });

  it('has nothing before a first sign-in, and nothing after clear', async () => {
    const { store, file } = setup('darwin');
    expect(await store.load()).toBeNull();
    await store.save(TOKEN);
    await store.clear();
    expect(existsSync(file)).toBe(false);
    expect(await store.load()).toBeNull();
  });

  it('treats a file it cannot decrypt as no token (the agent signs in again)', async () => {
    const { store, file, log } = setup('win32');
    await store.save(TOKEN);
    writeFileSync(file, 'garbage from another machine');
    expect(await store.load()).toBeNull();
    expect(log).toHaveBeenCalledWith('secrets.unreadable');
  });

  it('never writes the token to the log', async () => {
    const { store, log } = setup('linux', (s) => (s.backend = 'basic_text'));
    await store.save(TOKEN);
    await store.load();
    await store.clear();
    const good = setup('linux');
    await good.store.save(TOKEN);
    await good.store.load();
    expect(JSON.stringify([...log.mock.calls, ...good.log.mock.calls])).not.toContain(TOKEN);
  });
});

describe('Linux without a keyring (basic_text)', () => {
  it('keeps the token in memory for this session only, writes no file, and says so', async () => {
    const { store, file, log } = setup('linux', (s) => (s.backend = 'basic_text'));
    expect(store.weakStorage).toBe(true);
    await store.save(TOKEN);
    expect(existsSync(file)).toBe(false);
    expect(await store.load()).toBe(TOKEN);
    expect(log).toHaveBeenCalledWith('secrets.weak_storage', expect.objectContaining({ reason: expect.stringContaining('basic_text') }));
    expect(log.mock.calls.filter(([event]) => event === 'secrets.weak_storage')).toHaveLength(1);
    // After a restart the token is gone: the agent signs in again rather than the token sitting in clear on disk.
    const restarted = new SafeStorageTokenStore({ safeStorage: Object.assign(new FakeSafeStorage(), { backend: 'basic_text' }), file, platform: 'linux' });
    expect(await restarted.load()).toBeNull();
  });

  it('removes a file from an earlier session with a keyring on sign-out', async () => {
    const { store, file, safeStorage } = setup('linux');
    await store.save(TOKEN);
    safeStorage.backend = 'basic_text';
    await store.clear();
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['linux', 'basic_text', true, true],
    ['linux', 'unknown', true, true],
    ['linux', 'gnome_libsecret', true, false],
    ['linux', 'kwallet5', true, false],
    ['darwin', 'unknown', true, false],
    ['win32', 'unknown', true, false],
    ['darwin', 'unknown', false, true],
  ] as const)('%s with backend %s (encryption available: %s) is weak: %s', (platform, backend, available, weak) => {
    const safeStorage = Object.assign(new FakeSafeStorage(), { backend, available });
    expect(weakStorageReason(safeStorage, platform) !== null).toBe(weak);
  });
});
