import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../shared/uuidv7';
import { mediaFilesFor } from './media-placement';
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
