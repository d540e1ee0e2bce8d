import { describe, expect, it } from 'vitest';
import { SAFE_DEFAULTS, effectiveNotificationPrivacy, loadPolicy, machinePolicyPath } from './policy';

const read = (text: string | null) => () => text;

describe('machine policy', () => {
  it.each([
    ['win32', 'C:\\ProgramData\\Branchline\\policy.json'],
    ['darwin', '/Library/Application Support/Branchline/policy.json'],
    ['linux', '/etc/branchline/policy.json'],
  ] as const)('lives in the machine-wide place on %s', (platform, expected) => {
    expect(machinePolicyPath(platform)).toBe(expected);
  });

  it('leaves an unmanaged desktop (no file) on safe defaults, without complaint', () => {
    expect(loadPolicy('/etc/branchline/policy.json', read(null))).toEqual({ policy: SAFE_DEFAULTS, problems: [], source: null });
  });

  it('applies a valid policy', () => {
    const { policy, problems } = loadPolicy(
      'p.json',
      read(
        JSON.stringify({
          relay: { url: 'wss://relay.bank.example', allowUserOverride: false },
          network: { caFile: 'C:\\certs\\bank-root.pem', proxy: 'http://proxy.bank.example:3128' },
          notifications: { privacy: 'hide' },
          updates: { enabled: true, feedUrl: 'https://updates.bank.example/branchline', channel: 'stable' },
          retention: { days: 30 },
          logging: { level: 'warn' },
        }),
      ),
    );
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      relay: { url: 'wss://relay.bank.example', allowUserOverride: false, allowInsecure: false, pins: [] },
      network: { caFile: 'C:\\certs\\bank-root.pem', proxy: 'http://proxy.bank.example:3128' },
      notifications: { privacy: 'hide', privacyDefault: null },
      updates: { enabled: true, feedUrl: 'https://updates.bank.example/branchline', channel: 'stable' },
      retention: { days: 30 },
      logging: { level: 'warn' },
    });
  });

  it.each([
    ['a corrupt file', '{"relay": {', '(file)'],
    ['an array', '[1, 2]', '(file)'],
    ['a wrong type', '{"retention": {"days": "thirty"}}', 'retention.days'],
    ['a number out of range', '{"retention": {"days": 0}}', 'retention.days'],
    ['an http update feed', '{"updates": {"enabled": true, "feedUrl": "http://updates.example"}}', 'updates.feedUrl'],
    ['updates enabled without a feed', '{"updates": {"enabled": true}}', 'updates.feedUrl'],
    ['a bad relay address', '{"relay": {"url": "ftp://relay"}}', 'relay.url'],
    ['an unknown top-level key', '{"telemetry": true}', 'telemetry'],
    ['an unknown key in a section', '{"logging": {"level": "info", "verbose": true}}', 'logging'],
  ])('reports %s by its key and falls back to the safe default', (_what, text, key) => {
    const { policy, problems } = loadPolicy('p.json', read(text));
    expect(problems.map((p) => p.key)).toContain(key);
    expect(policy.retention.days).toBe(key === 'retention.days' ? 90 : policy.retention.days);
    expect(policy.updates.enabled).toBe(false);
  });

  it('locks the relay IT sets unless IT explicitly lets agents change it', () => {
    expect(loadPolicy('p.json', read('{"relay": {"url": "wss://relay.bank.example"}}')).policy.relay.allowUserOverride).toBe(false);
    expect(loadPolicy('p.json', read('{"relay": {"url": "wss://relay.bank.example", "allowUserOverride": true}}')).policy.relay.allowUserOverride).toBe(true);
    expect(loadPolicy('p.json', read('{"relay": {"allowInsecure": false}}')).policy.relay.allowUserOverride).toBe(true);
  });

  it('takes relay pins as HPKP pin-sha256 values and refuses anything else by key', () => {
    const pin = Buffer.alloc(32, 7).toString('base64');
    expect(loadPolicy('p.json', read(JSON.stringify({ relay: { pins: [pin] } }))).policy.relay.pins).toEqual([pin]);
    for (const bad of [['sha256/abc'], [Buffer.alloc(20).toString('base64')], []]) {
      const { policy, problems } = loadPolicy('p.json', read(JSON.stringify({ relay: { url: 'wss://relay.bank.example', pins: bad } })));
      expect(problems.map((p) => p.key)[0]).toMatch(/^relay\.pins/);
      expect(policy.relay).toEqual(SAFE_DEFAULTS.relay); // a half-applied relay section could be worse than none
    }
  });

  it('names a plain relay address the consoles will refuse, unless IT allows it', () => {
    const plain = loadPolicy('p.json', read('{"relay": {"url": "ws://relay.bank.example"}}'));
    expect(plain.problems).toEqual([{ key: 'relay.url', message: expect.stringContaining('relay.allowInsecure') }]);
    expect(loadPolicy('p.json', read('{"relay": {"url": "ws://relay.bank.example", "allowInsecure": true}}')).problems).toEqual([]);
    expect(loadPolicy('p.json', read('{"relay": {"url": "ws://127.0.0.1:8787"}}')).problems).toEqual([]);
  });

  it('keeps the valid sections of a file with one bad section', () => {
    const { policy, problems } = loadPolicy('p.json', read('{"relay": {"url": "wss://relay.bank.example"}, "retention": {"days": -5}}'));
    expect(policy.relay.url).toBe('wss://relay.bank.example');
    expect(policy.retention.days).toBe(90);
    expect(problems).toHaveLength(1);
  });

  it('reads a file saved by Notepad (with a byte-order mark)', () => {
    expect(loadPolicy('p.json', read('\uFEFF{"logging": {"level": "debug"}}')).policy.logging.level).toBe('debug');
  });

  it('reports an unreadable file instead of crashing', () => {
    const { problems, policy } = loadPolicy('p.json', () => {
      throw new Error('EACCES: permission denied');
    });
    expect(problems[0]).toMatchObject({ key: '(file)' });
    expect(policy).toEqual(SAFE_DEFAULTS);
  });

  it.each([
    // policy privacy, policy default, user choice, effective, locked
    [null, null, undefined, 'hide', false],
    [null, null, 'show', 'show', false],
    [null, 'show', undefined, 'show', false],
    [null, 'hide', undefined, 'hide', false],
    [null, 'hide', 'show', 'show', false],
    ['off', null, 'show', 'off', true],
    ['hide', 'show', 'show', 'hide', true],
  ] as const)('notification privacy: policy %s, default %s, user %s → %s (locked %s)', (privacy, privacyDefault, user, value, locked) => {
    const policy = { ...SAFE_DEFAULTS, notifications: { privacy, privacyDefault } };
    expect(effectiveNotificationPrivacy(policy, user)).toEqual({ value, locked });
  });
});
