// Session-level advisory locks, one per business number, on a dedicated PostgreSQL connection: the instance holding a
// number's lock is its only sender, and the lock frees itself when that instance (or its connection) dies.
import pg from 'pg';
import { z } from 'zod';
import { parseRow } from '../../../node-shared/stored-row';
import type { Logger } from '../../log';
import type { NumberLocks } from '../../send-leadership';

/**
 * The first key of every number lock (the second is hashtext(number)). Two-key advisory locks live apart from the
 * one-key writers' lock (WRITER_LOCK_KEY), so the two never collide. Two numbers whose hashes collide share a lock,
 * and so a sender: still one sender per number.
 */
export const NUMBER_LOCK_CLASS = 0x42_72_4c_32; // "BrL2"

const Taken = z.object({ taken: z.number().int() });

export class PgNumberLocks implements NumberLocks {
  private client: pg.Client | null = null;
  private readonly holding = new Set<string>();
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly log: Logger,
    /** Turns a driver error into one safe to log (no password). */
    private readonly describe: (error: unknown) => string,
  ) {}

  async tryLock(phoneNumberId: string): Promise<boolean> {
    if (this.holding.has(phoneNumberId)) return true;
    const client = await this.connected();
    const result = await client.query('SELECT CAST(pg_try_advisory_lock($1, hashtext($2)) AS INTEGER) AS taken', [NUMBER_LOCK_CLASS, phoneNumberId]);
    // The connection may have dropped while we asked: a lock granted on a dead connection is no lock.
    if (parseRow('advisory lock', Taken, result.rows[0]).taken !== 1 || this.client !== client) return false;
    this.holding.add(phoneNumberId);
    return true;
  }

  held(): ReadonlySet<string> {
    return this.holding;
  }

  /** Ends the connection: PostgreSQL releases every lock it held. */
  async close(): Promise<void> {
    this.closed = true;
    this.holding.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connected(): Promise<pg.Client> {
    if (this.closed) throw new Error('the number locks are closed');
    if (this.client !== null) return this.client;
    const client = new pg.Client({ ...this.config, keepAlive: true });
    // Before connect: an error event with no listener would end the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw new Error(`cannot take send locks: ${this.describe(error)}`, { cause: null });
    }
    this.client = client;
    return client;
  }

  /** The server released the locks with the connection: stop sending at once; the next try reconnects. */
  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.holding.size > 0)
      this.log.warn('db.send_locks.lost', { numbers: this.holding.size, reason: error === null ? 'connection ended' : this.describe(error) });
    this.holding.clear();
  }
}
