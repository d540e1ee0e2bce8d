// The door and long-poll limits as settings: defaults, the config file, the environment winning, and a bad value
// stopping startup by name.
import { describe, expect, it } from 'vitest';
import { LimitsConfigError, loadLimitSettings } from './limits-config';

describe('door limits settings', () => {
  it('default to values that do not bite a normal branch', () => {
    const limits = loadLimitSettings({}, undefined);
    expect(limits).toMatchObject({
      headersTimeoutMs: 20_000,
      bodyTimeoutMs: 15_000,
      uploadMinBytesPerSecond: 65_536,
      connections: 10_000,
      connectionsPerAddress: 256,
      pollUncollectedMs: 60_000,
      pollSessionsPerAgent: 8,
    });
  });

  it('take the config file, and the environment over it', () => {
    const limits = loadLimitSettings({ RELAY_LIMIT_CONNECTIONS_PER_ADDRESS: '32' }, { connectionsPerAddress: 64, bodyTimeoutMs: 5_000 });
    expect(limits.connectionsPerAddress).toBe(32);
    expect(limits.bodyTimeoutMs).toBe(5_000);
  });

  it.each([
    [{ RELAY_LIMIT_BODY_TIMEOUT_MS: '0' }, undefined, 'RELAY_LIMIT_BODY_TIMEOUT_MS must be a whole number from 100 to 600000'],
    [{ RELAY_LIMIT_CONNECTIONS: 'many' }, undefined, 'RELAY_LIMIT_CONNECTIONS must be a whole number'],
    [{}, { pollSessionsPerAgent: 0 }, 'limits.pollSessionsPerAgent must be a whole number from 1 to 1000'],
    [{}, { headersTimeoutMs: 2.5 }, 'limits.headersTimeoutMs must be a whole number'],
  ])('refuse %j %j by name', (env, file, message) => {
    expect(() => loadLimitSettings(env, file)).toThrow(LimitsConfigError);
    expect(() => loadLimitSettings(env, file)).toThrow(message);
  });
});
