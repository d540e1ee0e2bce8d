import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../shared/uuidv7';
import { mediaFilesFor } from './media-placement';
import { drain, patterned, trickle } from './test-support/media-files-suite';
import { testPostgres } from './test-support/postgres-tests';
import { PgDatabase } from './store/postgres/pg-database';
import { SqliteDatabase } from './store/sql/sqlite-database';
import { MEDIA_PARTS_DDL } from './store/sql-media-files';

describe('mediaFilesFor: where a relay keeps media bytes', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bl-media-choice-'));
    const raw = new Database(path.join(dir, 'relay.db'));
    raw.exec(MEDIA_PARTS_DDL.sqlite);
    db = new SqliteDatabase(raw);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps them as files in the data folder beside a SQLite store, out of the database', async () => {
    const id = uuidv7();
    const files = mediaFilesFor(db, dir);
    await files.write(id, Buffer.from('%PDF-1.7 statement'));
    expect(readdirSync(path.join(dir, 'media'))).toEqual([id]);
    expect(await db.get('SELECT count(*) AS n FROM media_parts')).toEqual({ n: 0 });
    expect((await files.read(id))?.toString()).toBe('%PDF-1.7 statement');
  });
});

const pg = testPostgres();

describe.skipIf(pg.skipReason !== null)(`mediaFilesFor beside PostgreSQL${pg.skipReason === null ? '' : ` (SKIPPED: ${pg.skipReason})`}`, () => {
  let dirs: string[];
  let pools: PgDatabase[];
  beforeEach(() => {
    dirs = [];
    pools = [];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** One relay instance: its own data folder and its own pool on the shared database. */
  async function instance(url: string) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bl-media-instance-'));
    dirs.push(dataDir);
    const db = await PgDatabase.open({ url });
    pools.push(db);
    return { dataDir, db, files: mediaFilesFor(db, dataDir) };
  }

  it('serves through one instance the upload another received, and what a third fetched, with no file on any machine', async () => {
    const url = await pg.createDatabase();
    const [a, b, c] = [await instance(url), await instance(url), await instance(url)];
    await a.db.exec(MEDIA_PARTS_DDL.postgres);

    const upload = uuidv7();
    const document = patterned(3 * 1024 * 1024 + 17, 1);
    const received = await a.files.writeStream(upload, trickle(document, 64 * 1024), 100 * 1024 * 1024);
    const opened = await b.files.open(upload);
    expect(opened?.size).toBe(received.size);
    expect((await drain(opened!.stream)).bytes.equals(document)).toBe(true);

    // Inbound media fetched from WhatsApp by one instance is sent by another's dispatcher, which reads it whole.
    const inbound = uuidv7();
    const photo = patterned(200_000, 2);
    await c.files.write(inbound, photo);
    expect((await a.files.read(inbound))?.equals(photo)).toBe(true);

    for (const { dataDir } of [a, b, c]) expect(existsSync(path.join(dataDir, 'media'))).toBe(false);
  });
});
