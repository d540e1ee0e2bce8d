// `npm run relay` as an operator uses it: startup line, sandbox token, agents, and refusals that name the setting.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { DEMO_TOKENS_FILE } from '../sandbox/demo';
import { openRelayDatabase, openSqliteRelayStore } from '../store/relay-db';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'branchline-cli-'));
/** The environment of a machine with no WhatsApp settings. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));

function relayCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv) {
  return spawnSync('npm', ['run', '--silent', 'relay', '--', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
}

describe('npm run relay', () => {
  it('starts a sandbox on a free port, prints where it listens first and a demo token that works', async () => {
    // Spawned without npm in between, so the kill below reaches the relay itself and leaves nothing running.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--sandbox', '--port', '0', '--data', freshDir()], {
      cwd: repoRoot,
      env: cleanEnv,
    });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = (await lines.next()).value as string;
      expect(first).toMatch(/^relay listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = first.replace('relay listening on ', '');
      const second = (await lines.next()).value as string;
      const token = /token (blt_[A-Za-z0-9_-]+)$/.exec(second)?.[1];
      expect(token).toBeDefined();

      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok' });
      const opened = await fetch(`${url}/v1/poll?device=cli-test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(opened.status).toBe(200);
      const refused = await fetch(`${url}/v1/poll?device=cli-test`, { method: 'POST', headers: { authorization: 'Bearer blt_wrong' } });
      expect(refused.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('shows the model with no set-up: a demo agent per team and a supervisor of both, customers per number, tokens kept on restart', async () => {
    const data = freshDir();
    const start = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--sandbox', '--port', '0', '--data', data], {
        cwd: repoRoot,
        env: cleanEnv,
      });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const printed: string[] = [];
      for (let i = 0; i < 7; i++) printed.push((await lines.next()).value as string);
      return { child, printed, tokens: printed.flatMap((l) => /^sandbox: demo \w+ "([\w-]+)" .*token (blt_\S+)$/.exec(l)?.slice(1, 3) ?? []) };
    };
    const stop = async (child: ReturnType<typeof spawn>) => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    };
    const first = await start();
    try {
      expect(first.tokens.filter((_, i) => i % 2 === 0)).toEqual(['demo', 'demo-north', 'demo-lead']);
      expect(first.printed.some((l) => l.includes('/sandbox/age'))).toBe(true);
    } finally {
      await stop(first.child);
    }
    expect(statSync(path.join(data, DEMO_TOKENS_FILE)).mode & 0o777).toBe(0o600);
    const again = await start();
    try {
      expect(again.tokens).toEqual(first.tokens);
      const url = again.printed[0]!.replace('relay listening on ', '');
      const opened = await fetch(`${url}/v1/poll?device=cli-restart`, { method: 'POST', headers: { authorization: `Bearer ${again.tokens[3]}` } });
      expect(opened.status).toBe(200);
    } finally {
      await stop(again.child);
    }
    const store = openSqliteRelayStore(data).store;
    try {
      const names = async (team: string) => {
        const listed = await store.listConversations(undefined, 50, [team]);
        return listed.ok ? listed.value.items.map((c) => c.customer.name).sort() : [];
      };
      // Written once, on the first start only.
      expect(await names('north')).toEqual(['Avi Ben-David', 'Lior Mizrahi']);
      expect(await names('main')).toEqual(['Miriam Shapiro']);
      expect((await store.agentAccess('demo-lead'))?.teams.map((t) => t.id)).toEqual(['main', 'north']);
    } finally {
      await store.close();
    }
  });

  it('shuts down cleanly on SIGTERM, closing the store', async () => {
    // Spawned without npm in between, so the signal reaches the relay itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--sandbox', '--port', '0', '--data', freshDir()], {
      cwd: repoRoot,
      env: cleanEnv,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string;
    expect(first).toMatch(/^relay listening on /);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stderr).toContain('"event":"relay.stopped"');
  });

  it('adds, lists and revokes agents, printing a token only once', () => {
    const data = freshDir();
    const added = relayCli(['agents', 'add', 'ana', '--name', 'Ana Cohen', '--data', data]);
    expect(added.status).toBe(0);
    const token = added.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^blt_[A-Za-z0-9_-]{40,}$/);

    // Each agent with their status, role and teams.
    expect(relayCli(['agents', 'list', '--data', data]).stdout).toMatch(/^ana\tAna Cohen\tactive\tagent\tmain$/m);
    const again = relayCli(['agents', 'add', 'ana', '--name', 'Someone Else', '--data', data]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');

    expect(relayCli(['agents', 'revoke', 'ana', '--data', data]).status).toBe(0);
    const listed = relayCli(['agents', 'list', '--data', data]).stdout;
    expect(listed).toMatch(/^ana\tAna Cohen\trevoked \S+\tagent\tmain$/m);
    expect(listed).not.toContain(token);
  });

  it.each([
    ['no WhatsApp settings', [] as string[], 'WHATSAPP_APP_SECRET is not set'],
    ['an agent id that could be a path', ['agents', 'add', '../x', '--name', 'X'], 'agent id is 1 to 128'],
    ['agents add without a name', ['agents', 'add', 'bo'], 'needs --name'],
    ['an unknown flag', ['--prot', '1'], "Unknown option '--prot'"],
    ['a port out of range', ['--sandbox', '--port', '70000'], '--port must be between 0 and 65535'],
  ])('refuses %s with a message that names it, and no stack trace', (_what, args, message) => {
    const result = relayCli([...args, '--data', freshDir()]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names a bad --database or RELAY_DATABASE_URL, warns of a password on the command line, and never prints it', () => {
    const bad = relayCli(['--sandbox', '--port', '0', '--data', freshDir()], { ...cleanEnv, RELAY_DATABASE_URL: 'mysql://relay:planted-pw-5521@db/relay' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('RELAY_DATABASE_URL must be a postgres:// or postgresql:// URL');
    const flagged = relayCli(['--sandbox', '--port', '0', '--data', freshDir(), '--database', 'postgres://relay:planted-pw-5521@127.0.0.1:1/relay']);
    expect(flagged.stderr).toContain('--database carries a password that other users of this machine can see');
    // Nothing listens there: the relay names the server, with the password masked, and stops.
    expect(flagged.stderr).toContain('PostgreSQL at postgres://relay:***@127.0.0.1:1/relay cannot be used');
    expect(flagged.status).toBe(1);
    expect(bad.stdout + bad.stderr + flagged.stdout + flagged.stderr).not.toContain('planted-pw-5521');
  });

  it('names a corrupt config file and the wrong key in a valid one', () => {
    const dir = freshDir();
    const corrupt = path.join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"port": ');
    expect(relayCli(['--sandbox', '--config', corrupt]).stderr).toContain(`cannot read the config file ${corrupt}: it is not valid JSON`);
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ whatsapp: { appSecrit: 'x' } }));
    const result = relayCli(['--sandbox', '--config', wrong]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('whatsapp');
    expect(result.stderr).toContain('appSecrit');
  });

  it.skipIf(process.platform === 'win32')('warns, by name and without its content, when other users may read the config file', () => {
    const data = freshDir();
    openRelayDatabase(data).close();
    const config = path.join(freshDir(), 'relay.json');
    writeFileSync(config, JSON.stringify({ whatsapp: { appSecret: 'planted-app-secret-4711' } }), { mode: 0o644 });
    chmodSync(config, 0o644);
    const loose = relayCli(['teams', 'list', '--data', data, '--config', config]);
    expect(loose.status).toBe(0);
    expect(loose.stderr).toContain(`the config file ${config} can be read by other users`);
    expect(loose.stdout + loose.stderr).not.toContain('planted-app-secret-4711');
    chmodSync(config, 0o600);
    const tight = relayCli(['teams', 'list', '--data', data, '--config', config]);
    expect(tight.status).toBe(0);
    expect(tight.stderr).not.toContain('can be read by other users');
  });
});
