import { describe, expect, it } from 'vitest';
import { ConfigError, loadRelayConfig } from '../relay-config';
import { instanceUrl, loadInstanceSettings } from './instance-settings';

describe('instance.url: where the other relay instances reach this one', () => {
  it.each([
    ['nothing set, listening on 127.0.0.1', {}, '127.0.0.1', 'http://127.0.0.1:8787'],
    ['nothing set, listening on ::1', {}, '::1', 'http://[::1]:8787'],
    ['nothing set, listening on every address: no one can tell which name the others reach', {}, '0.0.0.0', null],
    ['nothing set, listening on a LAN address', {}, '10.0.0.5', null],
    ['RELAY_INSTANCE_URL set', { RELAY_INSTANCE_URL: 'http://relay-2.internal:8787/' }, '0.0.0.0', 'http://relay-2.internal:8787'],
    ['an https URL', { RELAY_INSTANCE_URL: 'https://10.0.0.6:8443' }, '0.0.0.0', 'https://10.0.0.6:8443'],
  ])('%s', (_what, env, host, expected) => {
    expect(instanceUrl(loadInstanceSettings(env, undefined), host, 8787)).toBe(expected);
  });

  it('takes the environment over the config file', () => {
    expect(loadInstanceSettings({ RELAY_INSTANCE_URL: 'http://a:1' }, { url: 'http://b:2' }).url).toBe('http://a:1');
    expect(loadInstanceSettings({}, { url: 'http://b:2' }).url).toBe('http://b:2');
  });

  it.each(['relay-2:8787', 'ftp://relay-2', 'http://relay-2:8787/relay', 'http://relay-2:8787/?x=1', 'http://user:pw@relay-2:8787'])(
    'stops startup naming RELAY_INSTANCE_URL for %s',
    (bad) => {
      const start = () =>
        loadRelayConfig({
          flags: { sandbox: true },
          env: { RELAY_INSTANCE_URL: bad },
        });
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(/RELAY_INSTANCE_URL must be/);
    },
  );
});
