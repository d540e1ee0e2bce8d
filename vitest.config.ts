// Unit and integration tests under plain Node (the browser suite is Playwright's, in e2e/).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'eslint/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Real sockets, processes and SQLite files: generous per-test limits, never timed assertions.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
