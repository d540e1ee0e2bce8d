import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadDatabaseSetting } from './database-config';
import { loadRelayConfig } from './relay-config';

const URL_WITH_PASSWORD = 'postgres://relay:pa%24%24-w0rd-7731@db.bank.internal:5432/branchline?sslmode=verify-full';

describe('the database setting', () => {
  it('keeps SQLite in the data folder when neither --database nor RELAY_DATABASE_URL is set', () => {
    expect(loadDatabaseSetting(undefined, {})).toEqual({ kind: 'sqlite' });
    expect(loadDatabaseSetting(undefined, { RELAY_DATABASE_URL: '' })).toEqual({ kind: 'sqlite' });
    expect(loadRelayConfig({ flags: { sandbox: true }, env: {} }).database).toEqual({ kind: 'sqlite' });
  });

  it('takes a postgres:// or postgresql:// URL, the flag before the environment', () => {
    const fromEnv = loadDatabaseSetting(undefined, { RELAY_DATABASE_URL: 'postgresql://relay@db:5432/branchline' });
    expect(fromEnv.kind === 'postgres' && fromEnv.url.reveal()).toBe('postgresql://relay@db:5432/branchline');
    const fromFlag = loadDatabaseSetting('postgres://relay@flag-host/branchline', { RELAY_DATABASE_URL: 'postgres://relay@env-host/branchline' });
    expect(fromFlag.kind === 'postgres' && fromFlag.url.reveal()).toBe('postgres://relay@flag-host/branchline');
  });

  it('stops startup naming the setting, without echoing a value that may hold a password', () => {
    for (const bad of ['mysql://relay:hunter2@db/branchline', 'relay:hunter2@db', 'postgres://', 'https://db/branchline']) {
      expect(() => loadRelayConfig({ flags: { sandbox: true }, env: { RELAY_DATABASE_URL: bad } })).toThrow(/^RELAY_DATABASE_URL must be a postgres:\/\//);
      expect(() => loadRelayConfig({ flags: { sandbox: true, database: bad }, env: {} })).toThrow(/^--database must be a postgres:\/\//);
      let message = '';
      try {
        loadDatabaseSetting(bad, {});
      } catch (error) {
        message = String(error);
      }
      expect(message).toContain('--database must be');
      expect(message).not.toContain('hunter2');
    }
  });

  it('never prints the password, however the settings are printed', () => {
    const config = loadRelayConfig({ flags: { sandbox: true }, env: { RELAY_DATABASE_URL: URL_WITH_PASSWORD } });
    if (config.database.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const { url } = config.database;
    expect(url.reveal()).toBe(URL_WITH_PASSWORD);
    expect(url.hasPassword).toBe(true);
    for (const shown of [String(url), JSON.stringify(config), inspect(config, { depth: 5 }), `${url}`]) {
      expect(shown).toContain('db.bank.internal');
      expect(shown).not.toContain('w0rd-7731');
    }
    expect(String(url)).toBe('postgres://relay:***@db.bank.internal:5432/branchline?sslmode=verify-full');
  });
});
