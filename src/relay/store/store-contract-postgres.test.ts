// The store contract on PostgreSQL: a fresh database on the test run's real server per test, migrated as the relay does.
import { describe, it } from 'vitest';
import { testPostgres } from '../test-support/postgres-tests';
import { describeStoreContract } from '../test-support/store-contract';
import { openPostgresRelayDatabase } from './postgres/pg-migrations';
import { SqlRelayStore } from './sql-relay-store';

const pg = testPostgres();

if (pg.skipReason === null) {
  describeStoreContract('PostgreSQL', async () => {
    const store = new SqlRelayStore(await openPostgresRelayDatabase(await pg.createDatabase()));
    return { store, close: () => store.close() };
  });
} else {
  describe(`store contract on PostgreSQL (SKIPPED: ${pg.skipReason})`, () => {
    it.skip(`needs a PostgreSQL server: ${pg.skipReason}`, () => {});
  });
}
