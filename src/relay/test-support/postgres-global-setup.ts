// vitest globalSetup: one PostgreSQL server for the whole run, its URL handed to test files through `inject('postgres')`.
import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, POSTGRES_INSTALL_HINT, startPostgresServer, type PostgresServer } from './postgres-server';
import type { TestPostgresInfo } from './postgres-tests';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: PostgresServer | null = null;
  let info: TestPostgresInfo;
  const given = process.env['BRANCHLINE_TEST_PG_URL'];
  const binDir = findPostgresBinDir();
  if (given !== undefined && given !== '') {
    info = { adminUrl: given, binDir: binDir ?? null, skipReason: null };
  } else if (binDir === undefined) {
    // CI always has PostgreSQL (.ci/run installs it): there a missing server is a failure, never a quiet skip.
    if (process.env['CI'] !== undefined) throw new Error(`CI is set but no PostgreSQL binaries were found: ${POSTGRES_INSTALL_HINT}`);
    const skipReason = `no PostgreSQL binaries found; ${POSTGRES_INSTALL_HINT}`;
    process.stderr.write(`\n*** PostgreSQL tests are SKIPPED: ${skipReason}\n\n`);
    info = { adminUrl: null, binDir: null, skipReason };
  } else {
    server = await startPostgresServer(binDir);
    info = { adminUrl: server.adminUrl, binDir, skipReason: null };
  }
  project.provide('postgres', info);
  return async () => {
    await server?.stop();
  };
}
