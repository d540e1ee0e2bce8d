// Versioned schema migrations over PRAGMA user_version, for any SQLite handle (relay and console alike).

/** The part of a better-sqlite3 Database that migrating needs; declared here so src/shared stays runtime-free. */
export interface MigratableDatabase {
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction(fn: () => void): () => void;
}

/** `D` is the database type the migration needs (a data move may need more than exec, e.g. prepared statements). */
export interface Migration<D extends MigratableDatabase = MigratableDatabase> {
  /** 1, 2, 3 … with no gaps: the schema version this migration produces. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: D) => void;
}

export class DatabaseTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
    appName: string,
  ) {
    super(
      `This database was written by a newer version of ${appName} (schema ${found}; this version understands up to ${supported}). ` +
        `Update ${appName}, or point it at a different data folder. The file was left untouched.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** Brings the database to the newest schema, one transaction per migration. Returns the versions before and after. */
export function migrate<D extends MigratableDatabase>(db: D, migrations: readonly Migration<D>[], appName: string): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}; versions must run 1, 2, 3 … without gaps`);
  });
  const latest = migrations.length;
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > latest) throw new DatabaseTooNewError(current, latest, appName);
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from: current, to: latest };
}
