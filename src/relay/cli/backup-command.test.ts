// `npm run relay -- backup` against a relay that keeps taking webhooks: the copy opens as relay data and holds every
// event committed before the backup began; and the refusals an operator can meet.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openRelayDatabase, openSqliteRelayStore } from '../store/relay-db';
import { startTestRelay, type TestRelay } from '../test-support/relay-harness';
import { messageDelivery, person, text } from '../webhook/delivery-kit';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'branchline-backup-'));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));

function backupCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', 'backup', ...args], { cwd: repoRoot, env: cleanEnv });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('npm run relay -- backup --out FILE', () => {
  it('copies a relay that keeps writing: the copy opens as relay data and holds every event committed before it began', async () => {
    t = await startTestRelay();
    const relay = t;
    let writing = true;
    let written = 0;
    // Customers keep writing for as long as the backup runs, each message a new event in the log.
    const writer = (async () => {
      while (writing && written < 5_000) {
        const body = messageDelivery(person({ waId: `97254${String(1_000_000 + (written % 40))}` }), text(`message ${written}`)).body;
        expect((await relay.postWebhook(body)).status).toBe(200);
        written += 1;
      }
    })();
    while (written < 30) await new Promise((resolve) => setTimeout(resolve, 20));

    const before = await relay.relay.store.head();
    const out = path.join(freshDir(), 'relay-backup.db');
    const result = await backupCli(['--data', relay.dataDir, '--out', out]);
    const headAtEnd = await relay.relay.store.head();
    writing = false;
    await writer;

    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`backup: ${out} (`);
    expect(headAtEnd).toBeGreaterThan(before); // the relay went on writing while the copy was made
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const copy = new Database(out, { readonly: true });
    const seqs = copy.prepare('SELECT seq FROM events WHERE seq <= ? ORDER BY seq').pluck().all(before);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(seqs).toEqual(Array.from({ length: before }, (_, i) => i + 1));

    // Restored: the copy is a data folder's relay.db, and a relay store reads it.
    const restored = freshDir();
    mkdirSync(restored, { recursive: true });
    renameSync(out, path.join(restored, 'relay.db'));
    const { store } = openSqliteRelayStore(restored);
    try {
      expect(await store.head()).toBeGreaterThanOrEqual(before);
      const listed = await store.listConversations(undefined, 100, ['main']);
      expect(listed.ok && listed.value.items.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it.each([
    ['no --out', (data: string) => ['--data', data], 2, 'backup needs --out FILE'],
    ['a data folder with no relay', () => ['--data', freshDir(), '--out', path.join(freshDir(), 'x.db')], 2, 'there is no relay data in'],
    [
      'an --out that exists',
      (data: string) => {
        const taken = path.join(freshDir(), 'taken.db');
        writeFileSync(taken, 'earlier backup');
        return ['--data', data, '--out', taken];
      },
      1,
      'a backup never overwrites a file',
    ],
  ])('refuses %s, naming what to do', async (_what, args, code, message) => {
    const data = freshDir();
    openRelayDatabase(data).close();
    const result = await backupCli(args(data));
    expect(result.code).toBe(code);
    expect(result.err).toContain(message);
  });
});
