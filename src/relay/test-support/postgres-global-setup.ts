// vitest globalSetup: one PostgreSQL server for the whole run, its URL handed to test files through `inject('postgres')`.
import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, planTestPostgres, startPostgresServer, type PostgresServer } from './postgres-server';
import type { TestPostgresInfo } from './postgres-tests';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: PostgresServer | null = null;
  const binDir = findPostgresBinDir();
  const plan = planTestPostgres(process.env, binDir);
  let info: TestPostgresInfo;
  switch (plan.kind) {
    case 'given':
      info = { adminUrl: plan.adminUrl, binDir: binDir ?? null, skipReason: null };
      break;
    case 'start':
      server = await startPostgresServer(plan.binDir);
      info = { adminUrl: server.adminUrl, binDir: plan.binDir, skipReason: null };
      break;
    case 'skip':
      process.stderr.write(`\n*** PostgreSQL tests are SKIPPED: ${plan.reason}\n\n`);
      info = { adminUrl: null, binDir: null, skipReason: plan.reason };
      break;
    case 'fail':
      throw new Error(plan.reason);
  }
  project.provide('postgres', info);
  return async () => {
    await server?.stop();
  };
}
