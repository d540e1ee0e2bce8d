import { describe, expect, it } from 'vitest';
import { DatabaseTooNewError, migrate, type MigratableDatabase, type Migration } from './migrations';

/** An in-memory stand-in that records statements and honours transactions (rollback on throw). */
function fakeDb(startVersion = 0) {
  let version = startVersion;
  let applied: string[] = [];
  const db: MigratableDatabase & { applied: () => string[]; version: () => number } = {
    exec: (sql) => applied.push(sql),
    pragma: (source) => {
      const set = /^user_version = (\d+)$/.exec(source);
      if (set) version = Number(set[1]);
      return version;
    },
    transaction: (fn) => () => {
      const before = { version, applied: [...applied] };
      try {
        fn();
      } catch (error) {
        version = before.version;
        applied = before.applied;
        throw error;
      }
    },
    applied: () => applied,
    version: () => version,
  };
  return db;
}

const migrations: Migration[] = [
  { version: 1, description: 'tables', up: (db) => db.exec('CREATE TABLE a') },
  { version: 2, description: 'index', up: (db) => db.exec('CREATE INDEX b') },
];

describe('migrate', () => {
  it('applies every migration to a new database, in order', () => {
    const db = fakeDb();
    expect(migrate(db, migrations, 'Branchline')).toEqual({ from: 0, to: 2 });
    expect(db.applied()).toEqual(['CREATE TABLE a', 'CREATE INDEX b']);
    expect(db.version()).toBe(2);
  });

  it('applies only the missing ones to an older database', () => {
    const db = fakeDb(1);
    migrate(db, migrations, 'Branchline');
    expect(db.applied()).toEqual(['CREATE INDEX b']);
  });

  it('does nothing to a current database', () => {
    const db = fakeDb(2);
    expect(migrate(db, migrations, 'Branchline')).toEqual({ from: 2, to: 2 });
    expect(db.applied()).toEqual([]);
  });

  it('refuses a database from a newer version with a message that says what to do', () => {
    const db = fakeDb(7);
    expect(() => migrate(db, migrations, 'Branchline')).toThrow(DatabaseTooNewError);
    expect(() => migrate(db, migrations, 'Branchline')).toThrow(/newer version of Branchline \(schema 7; this version understands up to 2\)/);
    expect(db.version()).toBe(7);
  });

  it('leaves the version where it was when a migration fails', () => {
    const db = fakeDb(1);
    const broken: Migration[] = [
      migrations[0]!,
      {
        version: 2,
        description: 'bad',
        up: () => {
          throw new Error('disk full');
        },
      },
    ];
    expect(() => migrate(db, broken, 'Branchline')).toThrow('disk full');
    expect(db.version()).toBe(1);
  });

  it('refuses a list with gaps', () => {
    expect(() => migrate(fakeDb(), [migrations[1]!], 'Branchline')).toThrow(/without gaps/);
  });
});
