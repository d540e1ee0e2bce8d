// Unit and integration tests under plain Node (the browser suite is Playwright's, in e2e/).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'bench/lib/**/*.test.ts', 'eslint/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Real sockets, processes and SQLite files: generous per-test limits, never timed assertions.
    testTimeout: 30_000,
    // Two files at a time even on a 2-core machine (vitest's default leaves one core idle): most files spend their time
    // waiting on relay and console processes they started, not computing, and the suite has no timed assertions.
    maxWorkers: 2,
    hookTimeout: 30_000,
    // One throwaway PostgreSQL server per run (not per file), for the tests of the PostgreSQL store; a clear skip
    // without PostgreSQL binaries, a failure when CI is set.
    globalSetup: ['src/relay/test-support/postgres-global-setup.ts'],
    // Headless consoles the tests start keep their cache keys under the config folder (cache-key.ts): a throwaway
    // one, not the developer's ~/.config (APPDATA on Windows).
    env: (() => {
      const config = mkdtempSync(path.join(tmpdir(), 'branchline-test-config-'));
      return { XDG_CONFIG_HOME: config, APPDATA: config };
    })(),
  },
});
