import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError } from '../../../shared/migrations';
import { testPostgres } from '../../test-support/postgres-tests';
import { PgDatabase } from './pg-database';
import { migratePostgres, openPostgresRelayDatabase, PG_MIGRATIONS, type PgMigration } from './pg-migrations';

const pg = testPostgres();
const T0 = 1_764_000_000_000;

describe.skipIf(pg.skipReason !== null)(
  pg.skipReason === null ? 'PostgreSQL relay migrations' : `PostgreSQL relay migrations (SKIPPED: ${pg.skipReason})`,
  () => {
    let url: string;
    const open: PgDatabase[] = [];
    const track = (db: PgDatabase) => {
      open.push(db);
      return db;
    };
    beforeEach(async () => {
      url = await pg.createDatabase();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((db) => db.close()));
    });

    it('brings a new database to the newest schema once, with team main, and does nothing the second time', async () => {
      const db = track(await PgDatabase.open({ url }));
      expect(await migratePostgres(db)).toEqual({ from: 0, to: PG_MIGRATIONS.length });
      expect(await migratePostgres(db)).toEqual({ from: PG_MIGRATIONS.length, to: PG_MIGRATIONS.length });
      expect(await db.all('SELECT id, name FROM teams')).toEqual([{ id: 'main', name: 'Main' }]);
    });

    it('lets instances that start together migrate in turns', async () => {
      const [a, b, c] = await Promise.all([openPostgresRelayDatabase(url), openPostgresRelayDatabase(url), openPostgresRelayDatabase(url)]);
      open.push(a, b, c);
      expect(await a.get('SELECT version FROM branchline_schema')).toEqual({ version: PG_MIGRATIONS.length });
      expect(await a.get('SELECT count(*) AS n FROM branchline_schema')).toEqual({ n: 1 });
      expect(await a.get('SELECT count(*) AS n FROM teams')).toEqual({ n: 1 });
    });

    it('refuses a database a newer relay migrated, and leaves it untouched', async () => {
      const db = track(await openPostgresRelayDatabase(url));
      await db.run('INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)', ['ana', 'Ana', 'h-ana', T0]);
      await db.run('UPDATE branchline_schema SET version = ?', [PG_MIGRATIONS.length + 1]);
      const refused: unknown = await openPostgresRelayDatabase(url).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DatabaseTooNewError);
      expect(String(refused)).toContain(`schema ${PG_MIGRATIONS.length + 1}; this version understands up to ${PG_MIGRATIONS.length}`);
      expect(await db.get('SELECT version FROM branchline_schema')).toEqual({ version: PG_MIGRATIONS.length + 1 });
      expect(await db.all('SELECT id FROM agents')).toEqual([{ id: 'ana' }]);
    });

    it('leaves the database at the previous version when a migration fails half-way', async () => {
      const broken: PgMigration = {
        version: PG_MIGRATIONS.length + 1,
        description: 'a table, then a mistake',
        up: async (db) => {
          await db.exec('CREATE TABLE half_done (id TEXT)');
          await db.exec('SELECT no_such_function()');
        },
      };
      const db = track(await PgDatabase.open({ url }));
      await expect(migratePostgres(db, [...PG_MIGRATIONS, broken])).rejects.toThrow(/no_such_function/);
      expect(await db.get('SELECT version FROM branchline_schema')).toEqual({ version: PG_MIGRATIONS.length });
      expect(await db.get("SELECT to_regclass('half_done') AS t")).toEqual({ t: null });
    });

    it('keeps the audit trail append-only: no UPDATE, DELETE or TRUNCATE', async () => {
      const db = track(await openPostgresRelayDatabase(url));
      await db.run('INSERT INTO audit (at, action, actor_id) VALUES (?, ?, ?)', [T0, 'agent.add', 'lead']);
      await expect(db.run('UPDATE audit SET actor_id = ?', ['someone-else'])).rejects.toThrow('the audit trail is append-only');
      await expect(db.run('DELETE FROM audit')).rejects.toThrow('the audit trail is append-only');
      await expect(db.exec('TRUNCATE audit')).rejects.toThrow('the audit trail is append-only');
      expect(await db.all('SELECT seq, action, actor_id FROM audit')).toEqual([{ seq: 1, action: 'agent.add', actor_id: 'lead' }]);
    });

    it('holds one SSO login per agent whatever its case, and finds it by lower()', async () => {
      const db = track(await openPostgresRelayDatabase(url));
      const add = (id: string, login: string | null) =>
        db.run('INSERT INTO agents (id, name, token_hash, created_at, sso_login) VALUES (?, ?, ?, ?, ?)', [id, id, `h-${id}`, T0, login]);
      await add('noa', 'Noa.Katz@bank.example');
      await expect(add('eli', 'noa.katz@BANK.example')).rejects.toThrow(/agents_by_sso_login/);
      await add('sam', null);
      await add('dan', null);
      expect(await db.get('SELECT id FROM agents WHERE lower(sso_login) = lower(?)', ['NOA.KATZ@bank.example'])).toEqual({ id: 'noa' });
    });

    it('reads a field of JSON message content, and NULL for content that is not a JSON object', async () => {
      const db = track(await openPostgresRelayDatabase(url));
      await db.run('INSERT INTO customers (id, wa_id, created_at, updated_at) VALUES (?, ?, ?, ?)', ['cu', '15550001111', T0, T0]);
      await db.run('INSERT INTO conversations (id, phone_number_id, customer_id, last_message_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
        'c',
        '100',
        'cu',
        T0,
        T0,
        T0,
      ]);
      const message = (id: string, content: string) =>
        db.run("INSERT INTO messages (id, conversation_id, direction, content, status, created_at, updated_at) VALUES (?, 'c', 'in', ?, 'delivered', ?, ?)", [
          id,
          content,
          T0,
          T0,
        ]);
      await message('m1', JSON.stringify({ kind: 'image', mediaId: 'media-1' }));
      await message('m2', 'plain text from an old relay');
      await message('m3', '["media-1"]');
      const mediaId = db.dialect.jsonText('content', 'mediaId');
      expect(await db.all(`SELECT id, ${mediaId} AS media FROM messages ORDER BY id`)).toEqual([
        { id: 'm1', media: 'media-1' },
        { id: 'm2', media: null },
        { id: 'm3', media: null },
      ]);
    });
  },
);
