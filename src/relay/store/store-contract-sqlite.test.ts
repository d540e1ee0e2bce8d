// The store contract on SQLite: a real relay.db in a fresh temporary folder per test, opened as the relay opens it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openRelayDatabase } from './relay-db';
import { SqliteRelayStore } from './sqlite-relay-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-contract-'));
  const store = new SqliteRelayStore(openRelayDatabase(dir));
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
