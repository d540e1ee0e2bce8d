// auth.* as the relay reads it at startup: defaults, the config file under the environment, and bad values that stop
// the relay (and the CLI) with a message naming the key and its environment variable.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadRelayConfig } from '../relay-config';

const whatsapp = {
  WHATSAPP_APP_SECRET: 'app-secret-0123456789',
  WHATSAPP_VERIFY_TOKEN: 'verify',
  WHATSAPP_ACCESS_TOKEN: 'access',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
};
const load = (env: Record<string, string>, config?: object, sandbox = false) => {
  let file: string | undefined;
  if (config !== undefined) {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'branchline-auth-config-')), 'relay.json');
    writeFileSync(file, JSON.stringify(config));
  }
  return loadRelayConfig({ flags: { sandbox, ...(file !== undefined && { config: file }) }, env: { ...whatsapp, ...env } });
};

describe('relay auth settings', () => {
  it('default to 15-minute access, 12-hour sessions and static tokens on while no single sign-on is configured', () => {
    expect(load({}).auth).toEqual({ sessionMinutes: 15, maxSessionHours: 12, staticTokens: true, oidc: null });
  });

  it('turn static tokens off by default once an OpenID provider is configured, and read the config file under the environment', () => {
    const auth = load(
      { RELAY_AUTH_SESSION_MINUTES: '5' },
      { auth: { sessionMinutes: 30, oidc: { issuer: 'https://login.bank.example/', clientId: 'bl' } } },
    ).auth;
    expect(auth.sessionMinutes).toBe(5);
    expect(auth.staticTokens).toBe(false);
    expect(auth.oidc?.issuer).toBe('https://login.bank.example/');
  });

  it.each([
    [{ RELAY_AUTH_SESSION_MINUTES: 'soon' }, 'auth.sessionMinutes (RELAY_AUTH_SESSION_MINUTES)'],
    [{ RELAY_AUTH_MAX_SESSION_HOURS: '0' }, 'auth.maxSessionHours (RELAY_AUTH_MAX_SESSION_HOURS)'],
    [{ RELAY_AUTH_STATIC_TOKENS: 'maybe' }, 'auth.staticTokens (RELAY_AUTH_STATIC_TOKENS)'],
    [{ RELAY_OIDC_ISSUER: 'http://login.bank.example', RELAY_OIDC_CLIENT_ID: 'bl' }, 'auth.oidc.issuer (RELAY_OIDC_ISSUER)'],
    [{ RELAY_OIDC_ISSUER: 'https://login.bank.example' }, 'auth.oidc.clientId (RELAY_OIDC_CLIENT_ID)'],
  ])('stop startup naming the key of a bad value: %j', (env, key) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(key);
  });

  it('name the file key of a bad value in the config file', () => {
    expect(() => load({}, { auth: { sessionMinutes: 'fifteen' } })).toThrow(/auth\.sessionMinutes/);
    expect(() => load({}, { auth: { maxSessionHours: 0.001 } })).toThrow(/auth\.maxSessionHours \(RELAY_AUTH_MAX_SESSION_HOURS\)/);
  });
});

describe('the relay CLI with a bad auth setting', () => {
  it('prints the key and exits as for any bad setting, without starting', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHATSAPP_') && !k.startsWith('RELAY_')));
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/relay/cli/relay-cli.ts', '--port', '0', '--data', mkdtempSync(path.join(tmpdir(), 'bl-'))],
      {
        cwd: path.resolve(import.meta.dirname, '../../..'),
        env: { ...env, ...whatsapp, RELAY_AUTH_SESSION_MINUTES: '-3' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^relay: auth\.sessionMinutes \(RELAY_AUTH_SESSION_MINUTES\) must be a number/);
  });
});
