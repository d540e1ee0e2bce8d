// LISTEN on one dedicated PostgreSQL connection that comes back after the server restarts or the network drops.
import pg from 'pg';
import type { Logger } from '../../log';

export interface ListenHandlers {
  onNotify(payload: string): void;
  /**
   * Called after a reconnect: notifications sent while the connection was down are lost, so whatever they would have
   * woken must look for itself (the event log, not the wake-up, is the truth).
   */
  onGap?(): void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

export class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly channels = new Map<string, Set<ListenHandlers>>();
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly log: Logger,
    /** Turns a driver error into one safe to log and throw (no password). */
    private readonly describe: (error: unknown) => string,
  ) {}

  async listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
    if (!CHANNEL.test(channel)) throw new Error(`a notification channel is lower-case letters, digits and _ (got "${channel}")`);
    const client = await this.connected();
    let set = this.channels.get(channel);
    if (set === undefined) {
      set = new Set();
      this.channels.set(channel, set);
      await client.query(`LISTEN ${channel}`);
    }
    set.add(handlers);
    return async () => {
      const current = this.channels.get(channel);
      if (current === undefined || !current.delete(handlers) || current.size > 0) return;
      this.channels.delete(channel);
      await this.client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connected(): Promise<pg.Client> {
    if (this.closed) throw new Error('the database is closed');
    if (this.client !== null) return this.client;
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ ...this.config, keepAlive: true });
    // Before connect: an error event with no listener would end the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (n) => {
      for (const h of this.channels.get(n.channel) ?? []) h.onNotify(n.payload ?? '');
    });
    try {
      await client.connect();
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw new Error(`cannot listen for database notifications: ${this.describe(error)}`, { cause: null });
    }
    this.client = client;
    return client;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.log.warn('db.listen.lost', { reason: error === null ? 'connection ended' : this.describe(error) });
    this.retry(RETRY_FIRST_MS, 1);
  }

  private retry(delayMs: number, attempt: number): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closed) return;
      void this.resubscribe().then(
        () => {
          this.log.info('db.listen.reconnected', { attempts: attempt, channels: this.channels.size });
          for (const set of this.channels.values()) for (const h of set) h.onGap?.();
        },
        () => {
          // Connected but LISTEN failed: drop that connection and start over.
          const half = this.client;
          this.client = null;
          void half?.end().catch(() => undefined);
          this.retry(Math.min(delayMs * 2, RETRY_MAX_MS), attempt + 1);
        },
      );
    }, delayMs);
    this.retryTimer.unref();
  }

  private async resubscribe(): Promise<void> {
    const client = await this.connected();
    for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
  }
}
