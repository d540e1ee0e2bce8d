// What a test file needs to use the run's PostgreSQL server: a fresh database, or the reason its tests are skipped.
import { inject } from 'vitest';
import { createDatabase } from './postgres-server';

/** Provided by postgres-global-setup.ts; plain data, as `provide` requires. */
export interface TestPostgresInfo {
  readonly adminUrl: string | null;
  /** Where initdb/postgres live, for a test that needs a server of its own (to restart it). */
  readonly binDir: string | null;
  readonly skipReason: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: TestPostgresInfo;
  }
}

export interface TestPostgres {
  /** Null when PostgreSQL tests run; else why not (put it in the suite's name, so the report says it). */
  readonly skipReason: string | null;
  readonly binDir: string | null;
  /** A new empty database on the run's server. */
  createDatabase(): Promise<string>;
}

export function testPostgres(): TestPostgres {
  // Undefined under a vitest config without postgres-global-setup.ts: a named skip, not a crash.
  const info: TestPostgresInfo = (inject('postgres') as TestPostgresInfo | undefined) ?? {
    adminUrl: null,
    binDir: null,
    skipReason: 'the PostgreSQL globalSetup (src/relay/test-support/postgres-global-setup.ts) is not in this vitest config',
  };
  return {
    skipReason: info.skipReason,
    binDir: info.binDir,
    createDatabase: async () => {
      if (info.adminUrl === null) throw new Error(`PostgreSQL is not available: ${info.skipReason ?? 'unknown reason'}`);
      return createDatabase(info.adminUrl);
    },
  };
}
