// Which MediaFiles a relay keeps its media in: its own disk beside SQLite, the shared database beside PostgreSQL.
import path from 'node:path';
import { DiskMediaFiles, type MediaFiles } from './media-files';
import type { SqlDatabase } from './store/sql/sql-database';
import { SqlMediaFiles } from './store/sql-media-files';

/**
 * On SQLite the relay is one machine, and files beside the database keep relay.db small and its backups quick. On
 * PostgreSQL several instances share the database behind a load balancer, and a file must be readable by an instance
 * other than the one that received it: the database is the one store they all reach, with no second moving part.
 */
export function mediaFilesFor(database: SqlDatabase, dataDir: string): MediaFiles {
  return database.dialect.name === 'postgres' ? new SqlMediaFiles(database) : new DiskMediaFiles(path.join(dataDir, 'media'));
}
