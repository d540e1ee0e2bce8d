// `npm run relay -- --sandbox` as an operator might misuse it: on a public address, or on a machine set up for production.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const CLI = 'src/relay/cli/relay-cli.ts';
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'branchline-sandbox-guard-'));
/** A machine with no WhatsApp or relay settings of its own. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));

function sandboxCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const data = path.join(freshDir(), 'data');
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--sandbox', '--port', '0', '--data', data, ...args], {
    cwd: repoRoot,
    env: { ...cleanEnv, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ...run, dataCreated: existsSync(data) };
}

describe('npm run relay -- --sandbox refuses to run where it could do harm', () => {
  it.each(['0.0.0.0', '::', '192.0.2.10'])('on --host %s: exits 2, says loopback only, listens nowhere and creates no data', (host) => {
    const run = sandboxCli(['--host', host]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--sandbox listens on loopback only (127.0.0.1, ::1 or localhost), not on "${host}"`);
    expect(run.stdout).not.toContain('relay listening');
    expect(run.dataCreated).toBe(false);
  });

  it('beside a production access token in the environment: names it, says to unset it, never prints it', () => {
    const run = sandboxCli([], { WHATSAPP_ACCESS_TOKEN: 'EAAG-production-token-4711', WHATSAPP_GRAPH_URL: 'https://graph.facebook.com' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('WHATSAPP_ACCESS_TOKEN (environment), WHATSAPP_GRAPH_URL (environment)');
    expect(run.stderr).toContain('Unset them for the sandbox');
    expect(run.stdout + run.stderr).not.toContain('EAAG-production-token-4711');
    expect(run.stdout).not.toContain('relay listening');
    expect(run.dataCreated).toBe(false);
  });

  it('beside whatsapp.* production settings in the config file: names the key', () => {
    const config = path.join(freshDir(), 'relay.json');
    writeFileSync(config, JSON.stringify({ whatsapp: { verifyToken: 'dashboard-verify-4711' } }), { mode: 0o600 });
    const run = sandboxCli(['--config', config]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('whatsapp.verifyToken (config file; WHATSAPP_VERIFY_TOKEN in the environment)');
    expect(run.stderr).not.toContain('dashboard-verify-4711');
  });

  it('still starts on localhost with the app secret and number it is told to play (what tests and demos give it)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--sandbox', '--host', 'localhost', '--port', '0', '--data', freshDir()], {
      cwd: repoRoot,
      env: { ...cleanEnv, WHATSAPP_APP_SECRET: 'sandbox-app-secret-123', WHATSAPP_PHONE_NUMBER_ID: '106540352242922' },
    });
    try {
      const first = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string;
      expect(first).toMatch(/^relay listening on http:\/\/localhost:\d+$/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
