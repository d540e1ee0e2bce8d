// The operator's commands against a relay on PostgreSQL: they change the database every instance shares (not a local
// file), and a backup points the operator at PostgreSQL's own tools.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashAgentToken } from '../agent-tokens';
import { openPostgresRelayDatabase } from '../store/postgres/pg-migrations';
import { SqlRelayStore } from '../store/sql-relay-store';
import { testPostgres } from '../test-support/postgres-tests';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(repoRoot, 'src/relay/cli/relay-cli.ts');
const TSX = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));
const pg = testPostgres();

function relay(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: repoRoot, env: { ...cleanEnv, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

describe.skipIf(pg.skipReason !== null)(
  pg.skipReason === null ? 'relay administration on PostgreSQL' : `relay administration on PostgreSQL (SKIPPED: ${pg.skipReason})`,
  () => {
    it('adds a team and an agent in the shared database, whatever the data folder, and sends backups to pg_dump', { timeout: 180_000 }, async () => {
      const url = await pg.createDatabase();
      const env = { RELAY_DATABASE_URL: url };
      const emptyFolder = mkdtempSync(path.join(tmpdir(), 'branchline-admin-pg-'));
      const team = await relay(['--data', emptyFolder, 'teams', 'add', 'loans', '--name', 'Loans'], env);
      expect(team.err).toBe('');
      expect(team.status).toBe(0);
      const agent = await relay(['--data', emptyFolder, 'agents', 'add', 'dana', '--name', 'Dana Cohen', '--team', 'loans'], env);
      expect(agent.status).toBe(0);
      expect(agent.out).toContain('postgres://'); // says where it was added: the shared database, not the folder
      expect(agent.out).not.toContain(emptyFolder);
      const token = agent.out.trim().split('\n').at(-1)!;

      // What a relay instance on that database sees: the agent, in her team, signing in with the printed token.
      const store = new SqlRelayStore(await openPostgresRelayDatabase(url));
      try {
        expect(await store.findAgentByTokenHash(hashAgentToken(token))).toMatchObject({ id: 'dana', name: 'Dana Cohen' });
        expect((await store.agentAccess('dana'))?.teams.map((t) => t.id)).toEqual(['loans']);
        expect((await store.readAudit({ limit: 100 })).map((e) => e.action)).toEqual(expect.arrayContaining(['team.add', 'agent.add']));
      } finally {
        await store.close();
      }

      const backup = await relay(['--data', emptyFolder, 'backup', '--out', path.join(emptyFolder, 'copy.db')], env);
      expect(backup.status).toBe(2);
      expect(backup.err).toContain('pg_dump');
      expect(`${backup.out}${backup.err}`).not.toContain(new URL(url).password || 'never-a-password');
    });
  },
);
