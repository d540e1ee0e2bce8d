// The sandbox relay signs in with no external account: `--sandbox` starts its own OpenID provider, says where in its
// banner, and leaves it out when the operator configured an issuer.
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { OIDC_SANDBOX_KEYS_FILE } from './oidc-sandbox';
import { startSandboxSso } from './sandbox-sso';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));

describe('the sandbox relay’s single sign-on', () => {
  it('starts its provider: the banner names it and the demo password, and its discovery answers', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'branchline-sandbox-sso-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--sandbox', '--port', '0', '--data', data], {
      cwd: repoRoot,
      env: cleanEnv,
    });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      let banner: string | undefined;
      let password: string | undefined;
      for (let i = 0; i < 12 && password === undefined; i++) {
        const line = String((await lines.next()).value);
        banner ??= /OpenID provider at (http:\/\/127\.0\.0\.1:\d+) \(client branchline-console\)$/.exec(line)?.[1];
        password = /with the password (\S+)$/.exec(line)?.[1];
      }
      expect(password).toBe('branchline-demo');
      const discovery = await (await fetch(`${banner!}/.well-known/openid-configuration`)).json();
      expect(discovery).toMatchObject({ issuer: banner, code_challenge_methods_supported: ['S256'] });
      expect(statSync(path.join(data, 'oidc-sandbox', OIDC_SANDBOX_KEYS_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('keeps its issuer across a restart, so agents bound to it still sign in; a port taken meanwhile gets a new one', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'branchline-sandbox-sso-'));
    const first = (await startSandboxSso({}, data)).provider!;
    await first.close();
    const second = (await startSandboxSso({}, data)).provider!;
    try {
      expect(second.issuer).toBe(first.issuer);
    } finally {
      await second.close();
    }
    // Someone else listens on that port now: the sandbox still starts, elsewhere.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(new URL(first.issuer).port), '127.0.0.1', resolve));
    try {
      const third = (await startSandboxSso({}, data)).provider!;
      await third.close();
      expect(third.issuer).not.toBe(first.issuer);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('starts nothing when an issuer is configured', async () => {
    const env = { RELAY_OIDC_ISSUER: 'https://login.bank.example/tenant/v2.0', RELAY_OIDC_CLIENT_ID: 'bank-app' };
    expect(await startSandboxSso(env, tmpdir())).toEqual({ env, provider: null });
    expect((await startSandboxSso({}, tmpdir(), 'https://login.bank.example')).provider).toBeNull();
  });
});
