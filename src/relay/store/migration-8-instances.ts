// Relay schema 8, the relay instances sharing one database: where each is reached and its heartbeat, for passing long
// polls to their home instance (cluster/instance-registry.ts). On SQLite it serves several processes on one file.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';
import { RELAY_INSTANCES_DDL } from '../cluster/instance-registry';

export const MIGRATION_8: Migration<Database.Database> = {
  version: 8,
  description: 'relay instances sharing the database (long polls passed to their home instance)',
  up: (db) => {
    db.exec(RELAY_INSTANCES_DDL.sqlite);
  },
};
