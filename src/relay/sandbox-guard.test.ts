// Which hosts count as loopback, and which settings stop a sandbox: what `--sandbox` refuses and what it names.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, sandboxRefusal } from './sandbox-guard';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.1.2.3', false],
    ['::ffff:10.0.0.1', false],
    ['128.0.0.1', false],
    ['localhost.bank.example', false],
    ['relay.bank.example', false],
    ['', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('sandboxRefusal', () => {
  it('lets a loopback sandbox start with the settings it plays (app secret, number ids)', () => {
    const env = { WHATSAPP_APP_SECRET: 'test-secret-123', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_BUSINESS_ACCOUNT_ID: '2', WHATSAPP_ACCESS_TOKEN: '' };
    expect(sandboxRefusal('127.0.0.1', env, { appSecret: 'x', phoneNumberId: '1' })).toBeNull();
  });

  it('refuses a host other machines reach, before looking at anything else', () => {
    expect(sandboxRefusal('0.0.0.0', { WHATSAPP_ACCESS_TOKEN: 'EAAG-real' }, {})).toMatch(/^--sandbox listens on loopback only .* not on "0\.0\.0\.0"/);
  });

  it('names every production setting found, where it was found, and never its value', () => {
    const message = sandboxRefusal(
      '::1',
      { WHATSAPP_ACCESS_TOKEN: 'EAAG-real-token', WHATSAPP_VERIFY_TOKEN: 'verify-me' },
      { graphUrl: 'https://graph.facebook.com', accessToken: 'EAAG-file-token' },
    );
    expect(message).toContain('WHATSAPP_ACCESS_TOKEN (environment)');
    expect(message).toContain('WHATSAPP_VERIFY_TOKEN (environment)');
    expect(message).toContain('whatsapp.accessToken (config file');
    expect(message).toContain('whatsapp.graphUrl (config file; WHATSAPP_GRAPH_URL in the environment)');
    expect(message).toContain('Unset them');
    for (const value of ['EAAG-real-token', 'verify-me', 'graph.facebook.com', 'EAAG-file-token']) expect(message).not.toContain(value);
  });
});
