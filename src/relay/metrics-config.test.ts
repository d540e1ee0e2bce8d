// metrics.token / RELAY_METRICS_TOKEN: off unless set, the environment over the file, a weak token refused by name.
import { describe, expect, it } from 'vitest';
import { loadRelayConfig } from './relay-config';
import { loadMetricsSettings } from './metrics-config';

const STRONG = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';

describe('loadMetricsSettings', () => {
  it('leaves /metrics off when neither the environment nor the file sets a token', () => {
    expect(loadMetricsSettings({}, undefined)).toEqual({ token: null });
    expect(loadMetricsSettings({ RELAY_METRICS_TOKEN: '' }, {})).toEqual({ token: null });
  });

  it('takes the environment over the config file', () => {
    expect(loadMetricsSettings({}, { token: STRONG })).toEqual({ token: STRONG });
    expect(loadMetricsSettings({ RELAY_METRICS_TOKEN: `${STRONG}x` }, { token: STRONG })).toEqual({ token: `${STRONG}x` });
  });

  it.each([
    ['too short', { RELAY_METRICS_TOKEN: 'secret' }, undefined, /^RELAY_METRICS_TOKEN must be 24 to 512 characters/],
    ['a space a bearer header cannot carry', {}, { token: `${STRONG} x` }, /^metrics\.token must be 24 to 512/],
  ])('refuses a token %s, naming where it came from and never echoing it', (_what, env, file, message) => {
    expect(() => loadMetricsSettings(env, file)).toThrow(message);
    try {
      loadMetricsSettings(env, file);
    } catch (error) {
      expect((error as Error).message).not.toContain(STRONG);
    }
  });

  it('stops the relay at startup like every other bad setting', () => {
    const env = { WHATSAPP_APP_SECRET: 'app-secret-123', RELAY_METRICS_TOKEN: 'short' };
    expect(() => loadRelayConfig({ flags: { sandbox: true }, env })).toThrow(/RELAY_METRICS_TOKEN must be/);
  });
});
