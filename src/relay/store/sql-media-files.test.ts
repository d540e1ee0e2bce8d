import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7 } from '../../shared/uuidv7';
import { describeMediaFiles, patterned } from '../test-support/media-files-suite';
import { testPostgres } from '../test-support/postgres-tests';
import { PgDatabase } from './postgres/pg-database';
import type { SqlDatabase, SqlRun, SqlValue } from './sql/sql-database';
import { SqliteDatabase } from './sql/sqlite-database';
import { MEDIA_PART_BYTES, MEDIA_PARTS_DDL, SqlMediaFiles } from './sql-media-files';

const pg = testPostgres();

/** A database with the media_parts table, and how to throw it away. */
interface Engine {
  readonly name: string;
  readonly skipReason: string | null;
  open(): Promise<{ db: SqlDatabase; done: () => Promise<void> }>;
}

const ENGINES: readonly Engine[] = [
  {
    name: 'a SQLite file',
    skipReason: null,
    open: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'bl-media-sql-'));
      const raw = new Database(path.join(dir, 'relay.db'));
      raw.pragma('journal_mode = WAL');
      raw.exec(MEDIA_PARTS_DDL.sqlite);
      const db = new SqliteDatabase(raw);
      const done = async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      };
      return { db, done };
    },
  },
  {
    name: 'a real PostgreSQL server',
    skipReason: pg.skipReason,
    open: async () => {
      const db = await PgDatabase.open({ url: await pg.createDatabase() });
      await db.exec(MEDIA_PARTS_DDL.postgres);
      return { db, done: () => db.close() };
    },
  },
];

const keyRow = z.object({ media_id: z.string() });

async function storedKeys(db: SqlDatabase): Promise<string[]> {
  // Sorted here, not by the database: PostgreSQL's collation need not order text as JavaScript does.
  const rows = await db.all('SELECT DISTINCT media_id FROM media_parts');
  return rows.map((row) => keyRow.parse(row).media_id).sort();
}

/** The database as the store sees it, counting the media bytes that cross in each direction. */
class CountingDatabase implements SqlDatabase {
  sent = 0;
  fetched = 0;
  transactions = 0;
  constructor(private readonly inner: SqlDatabase) {}
  get dialect() {
    return this.inner.dialect;
  }
  async all(sql: string, params: readonly SqlValue[] = []): Promise<unknown[]> {
    const rows = await this.inner.all(sql, params);
    for (const row of rows) this.fetched += bytesIn(row);
    return rows;
  }
  async get(sql: string, params: readonly SqlValue[] = []): Promise<unknown> {
    const row = await this.inner.get(sql, params);
    this.fetched += bytesIn(row);
    return row;
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<SqlRun> {
    for (const p of params) if (p instanceof Uint8Array) this.sent += p.length;
    return this.inner.run(sql, params);
  }
  transaction<T>(work: () => Promise<T>): Promise<T> {
    this.transactions += 1;
    return this.inner.transaction(work);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function bytesIn(row: unknown): number {
  if (typeof row !== 'object' || row === null) return 0;
  return Object.values(row).reduce((sum: number, v) => sum + (v instanceof Uint8Array ? v.length : 0), 0);
}

for (const engine of ENGINES) {
  const named = engine.skipReason === null ? engine.name : `${engine.name} (SKIPPED: ${engine.skipReason})`;

  describeMediaFiles(
    `parts in ${named}`,
    async () => {
      const { db, done } = await engine.open();
      return { files: new SqlMediaFiles(db), stored: () => storedKeys(db), close: done };
    },
    engine.skipReason !== null,
  );

  describe.skipIf(engine.skipReason !== null)(`SqlMediaFiles on ${named}: memory and locks on the way in and out`, () => {
    let db: CountingDatabase;
    let done: () => Promise<void>;
    beforeEach(async () => {
      const opened = await engine.open();
      db = new CountingDatabase(opened.db);
      done = opened.done;
    });
    afterEach(async () => {
      await done();
    });

    it('stores an upload part by part as it arrives, never more than a part ahead of the database', async () => {
      const files = new SqlMediaFiles(db);
      let pulled = 0;
      let furthestAhead = 0;
      const source = Readable.from(
        (async function* () {
          for (let i = 0; i < 20 * 16; i++) {
            furthestAhead = Math.max(furthestAhead, pulled - db.sent);
            pulled += 64 * 1024;
            yield patterned(64 * 1024, i);
          }
        })(),
        { objectMode: false },
      );
      await files.writeStream(uuidv7(), source, 20 * MEDIA_PART_BYTES);
      expect(db.sent).toBe(20 * MEDIA_PART_BYTES);
      // The pipeline buffers a little besides the part being filled; the whole file (20 parts) never waits in memory.
      expect(furthestAhead).toBeLessThanOrEqual(2 * MEDIA_PART_BYTES);
      // One short transaction publishes the parts; none is held while the client sends.
      expect(db.transactions).toBe(1);
    });

    it('lets other writers commit while a slow client is half way through an upload', async () => {
      const files = new SqlMediaFiles(db);
      await db.run('CREATE TABLE other_writes (n INTEGER NOT NULL)');
      let release = () => {};
      const rest = new Promise<void>((resolve) => (release = resolve));
      const slowClient = Readable.from(
        (async function* () {
          yield patterned(MEDIA_PART_BYTES + 5, 5);
          await rest; // the client stalls mid-body
          yield patterned(10, 6);
        })(),
        { objectMode: false },
      );
      let uploadDone = false;
      const upload = files.writeStream(uuidv7(), slowClient, 10 * MEDIA_PART_BYTES).then(() => (uploadDone = true));
      for (let i = 0; i < 1_000 && db.sent < MEDIA_PART_BYTES; i++) await setImmediate();
      // Were the upload one transaction, this writer would wait for the client, and the client for the test: a hang.
      await db.transaction(() => db.run('INSERT INTO other_writes (n) VALUES (?)', [1]));
      expect(uploadDone).toBe(false);
      release();
      await upload;
      expect(await db.get('SELECT count(*) AS n FROM other_writes')).toEqual({ n: 1 });
    });

    it('fails a write whose staged parts were swept away under it, keeping the earlier file rather than one with a hole', async () => {
      const files = new SqlMediaFiles(db);
      const id = uuidv7();
      const earlier = patterned(10, 2);
      await files.write(id, earlier);
      const source = Readable.from(
        (async function* () {
          yield patterned(MEDIA_PART_BYTES + 5, 3);
          for (let i = 0; i < 1_000 && db.sent < MEDIA_PART_BYTES; i++) await setImmediate(); // the first part is being stored
          await db.run("DELETE FROM media_parts WHERE media_id LIKE 'staging:%'"); // an operator's sweep of leftovers
          yield patterned(MEDIA_PART_BYTES, 4);
        })(),
        { objectMode: false },
      );
      await expect(files.writeStream(id, source, 10 * MEDIA_PART_BYTES)).rejects.toThrow('media parts went missing');
      expect((await files.read(id))?.equals(earlier)).toBe(true);
      expect(await storedKeys(db)).toEqual([id]);
    });

    it('streams a download one part per query as the reader pulls', async () => {
      const files = new SqlMediaFiles(db);
      const id = uuidv7();
      await files.write(id, patterned(20 * MEDIA_PART_BYTES, 1));
      db.fetched = 0;
      const opened = await files.open(id);
      expect(db.fetched).toBe(0); // sizing the file reads none of its bytes
      const iterator = (opened!.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value?.length).toBe(MEDIA_PART_BYTES);
      expect(db.fetched).toBeLessThanOrEqual(2 * MEDIA_PART_BYTES);
      await iterator.return?.();
    });
  });
}
