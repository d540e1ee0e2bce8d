import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log';
import { createDatabase, startPostgresServer } from '../../test-support/postgres-server';
import { testPostgres } from '../../test-support/postgres-tests';
import { PgDatabase } from './pg-database';

const pg = testPostgres();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `done` in a bounded loop (at most ~10 s), doing `step` between looks; returns whether it came true. */
async function eventually(done: () => boolean, step: () => Promise<unknown> = async () => undefined): Promise<boolean> {
  for (let i = 0; i < 200 && !done(); i++) {
    await step().catch(() => undefined);
    await pause(50);
  }
  return done();
}

describe.skipIf(pg.skipReason !== null || pg.binDir === null)(
  pg.skipReason === null ? 'PgDatabase.listen across a PostgreSQL restart' : `PgDatabase.listen (SKIPPED: ${pg.skipReason})`,
  () => {
    it('keeps delivering notifications from another pool after the server restarts, and logs it without the password', async () => {
      // A server of its own: restarting the run's shared one would cut off every other test file.
      const server = await startPostgresServer(pg.binDir ?? '');
      const open: PgDatabase[] = [];
      try {
        const url = new URL(await createDatabase(server.adminUrl));
        url.password = 's3cret-pw'; // trust authentication ignores it; the logs must not show it
        const lines: string[] = [];
        const log = createLogger({ level: 'debug', write: (line) => lines.push(line), pseudonym: (waId) => waId });
        const listener = await PgDatabase.open({ url: url.toString(), log });
        const writer = await PgDatabase.open({ url: url.toString(), log });
        open.push(listener, writer);
        const got: string[] = [];
        let gaps = 0;
        await listener.listen('relay_wake', { onNotify: (payload) => got.push(payload), onGap: () => (gaps += 1) });

        expect(
          await eventually(
            () => got.includes('before'),
            () => writer.notify('relay_wake', 'before'),
          ),
        ).toBe(true);
        await server.restart();
        // The writer's pooled connections died too: its first tries may fail until the pool opens new ones.
        expect(
          await eventually(
            () => got.includes('after'),
            () => writer.notify('relay_wake', 'after'),
          ),
        ).toBe(true);
        expect(gaps).toBe(1);

        const logged = lines.join('\n');
        expect(logged).toContain('"event":"db.listen.lost"');
        expect(logged).toContain('"event":"db.listen.reconnected"');
        expect(logged).not.toContain('s3cret-pw');
      } finally {
        await Promise.all(open.map((db) => db.close()));
        await server.stop();
      }
    });
  },
);
