// Where the relay keeps its records: SQLite in the data folder (one machine), or PostgreSQL from a URL (several).
import { inspect } from 'node:util';
import { parseDatabaseUrl, redactDatabaseUrl } from './store/postgres/pg-url';

/**
 * A PostgreSQL URL that shows itself without its password however it is printed (String, JSON, console.log), so a
 * settings object logged whole cannot leak it. `reveal()` is for the driver only.
 */
export class DatabaseUrl {
  readonly #url: string;
  constructor(url: string) {
    this.#url = url;
  }
  reveal(): string {
    return this.#url;
  }
  /** True when the URL itself carries a password (rather than PGPASSWORD or ~/.pgpass). */
  get hasPassword(): boolean {
    const url = parseDatabaseUrl(this.#url);
    return url !== null && (url.password !== '' || url.searchParams.has('password'));
  }
  toString(): string {
    return redactDatabaseUrl(this.#url);
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return `DatabaseUrl(${this.toString()})`;
  }
}

export type DatabaseSetting = { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly url: DatabaseUrl };

export class DatabaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseConfigError';
  }
}

/** `--database` wins over RELAY_DATABASE_URL; neither: SQLite in the data folder, as before. */
export function loadDatabaseSetting(flag: string | undefined, env: NodeJS.ProcessEnv): DatabaseSetting {
  const [name, value] = flag !== undefined ? ['--database', flag] : ['RELAY_DATABASE_URL', env['RELAY_DATABASE_URL']];
  if (value === undefined || value.trim() === '') return { kind: 'sqlite' };
  // The value is not echoed: it may hold a password.
  if (parseDatabaseUrl(value.trim()) === null) {
    throw new DatabaseConfigError(`${name} must be a postgres:// or postgresql:// URL with a host (e.g. postgres://relay@db.bank.internal:5432/branchline)`);
  }
  return { kind: 'postgres', url: new DatabaseUrl(value.trim()) };
}
