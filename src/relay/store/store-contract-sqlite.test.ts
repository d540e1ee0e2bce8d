// The store contract on SQLite: a real relay.db in a fresh temporary folder per test, opened as the relay opens it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStoreContract } from '../test-support/store-contract';
import { openSqliteRelayStore } from './relay-db';

describeStoreContract('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-contract-'));
  const { store } = openSqliteRelayStore(dir);
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
