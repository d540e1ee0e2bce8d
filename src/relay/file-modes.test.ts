// The relay's files under a permissive umask: its data folder 0700, and relay.db, -wal/-shm, media, sandbox and demo tokens 0600.
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modesUnder as modes } from '../node-shared/test-support/file-modes';
import { DEMO_TOKENS_FILE, prepareDemo } from './sandbox/demo';
import type { SqlRelayStore } from './store/sql-relay-store';
import { startTestRelay, type TestRelay } from './test-support/relay-harness';

let umask: number;
let t: TestRelay | undefined;
beforeEach(() => {
  umask = process.umask(0o000);
});
afterEach(async () => {
  await t?.stop();
  t = undefined;
  process.umask(umask);
});

describe.skipIf(process.platform === 'win32')('relay file modes under umask 000', () => {
  it('keeps every folder 0700 and every file 0600: databases with -wal/-shm, an uploaded document, the demo tokens', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'branchline-relay-modes-'));
    const dataDir = path.join(root, 'data');
    t = await startTestRelay({ sandbox: true, dataDir });
    await prepareDemo(t.relay.store as SqlRelayStore, dataDir, Date.now());
    const uploaded = await fetch(`${t.relay.url}/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/pdf', 'x-file-name': 'statement.pdf' },
      body: Buffer.from('%PDF-1.4 statement'),
    });
    expect(uploaded.status).toBe(201);

    const found = modes(root);
    const names = Object.keys(found);
    expect(names).toEqual(
      expect.arrayContaining(['data', 'data/relay.db', 'data/relay.db-wal', 'data/relay.db-shm', 'data/sandbox.db', 'data/media', `data/${DEMO_TOKENS_FILE}`]),
    );
    expect(names.filter((n) => n.startsWith('data/media/'))).toHaveLength(1);
    for (const [entry, mode] of Object.entries(found)) {
      expect({ entry, mode }).toEqual({ entry, mode: statSync(path.join(root, entry)).isDirectory() ? '700' : '600' });
    }
  });

  it('tightens a data folder and database an older version left 0755/0644', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'branchline-relay-modes-')), 'data');
    t = await startTestRelay({ dataDir });
    await t.stop();
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, 'relay.db'), 0o644);
    t = await startTestRelay({ dataDir });
    expect(modes(path.dirname(dataDir))).toMatchObject({ data: '700', 'data/relay.db': '600' });
  });
});
