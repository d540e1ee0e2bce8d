// The sandbox's OpenID provider in this process: it keeps its signing key across restarts (0600), refuses a login
// without PKCE, shows its own login page, and answers only loopback redirects of its one client.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OIDC_SANDBOX_KEYS_FILE, SANDBOX_OIDC_CLIENT_ID, startOidcSandbox } from './oidc-sandbox';

const authorize = (issuer: string, params: Record<string, string>) =>
  fetch(`${issuer}/auth?${new URLSearchParams({ client_id: SANDBOX_OIDC_CLIENT_ID, response_type: 'code', scope: 'openid', ...params })}`, {
    redirect: 'manual',
  });
const PKCE = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' };

describe('the sandbox OpenID provider', () => {
  it('keeps its signing key in the data folder (0600) across a restart', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'branchline-oidc-sandbox-'));
    const kids = [];
    for (let run = 0; run < 2; run++) {
      const sandbox = await startOidcSandbox({ dataDir: data });
      try {
        const jwks = (await (await fetch(`${sandbox.issuer}/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
        expect(jwks.keys.every((k) => k.d === undefined)).toBe(true); // the public half only
        kids.push(jwks.keys.map((k) => k.kid));
      } finally {
        await sandbox.close();
      }
    }
    expect(kids[1]).toEqual(kids[0]);
    expect(statSync(path.join(data, OIDC_SANDBOX_KEYS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses a login without PKCE, and sends one with PKCE to its own login page', async () => {
    const sandbox = await startOidcSandbox({ dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-oidc-sandbox-')) });
    try {
      const without = await authorize(sandbox.issuer, { redirect_uri: 'http://127.0.0.1:40001/callback', state: 's' });
      expect(new URL(without.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
      const withPkce = await authorize(sandbox.issuer, { redirect_uri: 'http://127.0.0.1:40001/callback', state: 's', ...PKCE });
      const page = await fetch(new URL(withPkce.headers.get('location')!, sandbox.issuer), {
        headers: {
          cookie: withPkce.headers
            .getSetCookie()
            .map((c) => c.split(';')[0])
            .join('; '),
        },
      });
      expect(await page.text()).toContain('Branchline sandbox sign-in');
    } finally {
      await sandbox.close();
    }
  });

  it('answers no redirect outside this computer (not even as an error)', async () => {
    const sandbox = await startOidcSandbox({ dataDir: mkdtempSync(path.join(tmpdir(), 'branchline-oidc-sandbox-')) });
    try {
      const elsewhere = await authorize(sandbox.issuer, { redirect_uri: 'http://evil.example/callback', state: 's', ...PKCE });
      expect(elsewhere.headers.get('location')).toBeNull();
      expect(elsewhere.status).toBe(400);
      expect(await elsewhere.text()).toContain('This sign-in cannot go on');
    } finally {
      await sandbox.close();
    }
  });
});
