import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findPostgresBinDir, planTestPostgres, removeStaleFolders } from './postgres-server';
import { testPostgres } from './postgres-tests';

const pg = testPostgres();
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const TSX = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the PostgreSQL test harness decides honestly', () => {
  it('starts a server where binaries exist, uses a given one first, skips by name without, and fails in CI', () => {
    expect(planTestPostgres({}, '/usr/lib/postgresql/15/bin')).toEqual({ kind: 'start', binDir: '/usr/lib/postgresql/15/bin' });
    expect(planTestPostgres({ BRANCHLINE_TEST_PG_URL: 'postgres://u@db:5432/postgres' }, undefined)).toEqual({
      kind: 'given',
      adminUrl: 'postgres://u@db:5432/postgres',
    });
    const skip = planTestPostgres({}, undefined);
    expect(skip.kind).toBe('skip');
    expect('reason' in skip ? skip.reason : '').toContain('apt-get install postgresql');
    const ci = planTestPostgres({ CI: 'true' }, undefined);
    expect(ci.kind).toBe('fail');
    expect('reason' in ci ? ci.reason : '').toContain('apt-get install postgresql');
    expect(planTestPostgres({ BRANCHLINE_REQUIRE_POSTGRES: '1' }, undefined).kind).toBe('fail');
  });

  describe('finding the binaries', () => {
    let root: string;
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('takes the newest Debian version folder that holds initdb and postgres', () => {
      root = mkdtempSync(path.join(tmpdir(), 'bl-pgbin-'));
      for (const [version, complete] of [
        ['14', true],
        ['16', false],
        ['15', true],
      ] as const) {
        const bin = path.join(root, version, 'bin');
        mkdirSync(bin, { recursive: true });
        for (const tool of complete ? ['initdb', 'postgres'] : ['initdb']) {
          writeFileSync(path.join(bin, tool), '#!/bin/sh\n');
          chmodSync(path.join(bin, tool), 0o755);
        }
      }
      expect(findPostgresBinDir(root)).toBe(path.join(root, '15', 'bin'));
    });
  });

  it('clears folders a killed run left behind, but not a live server’s or one being set up', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bl-stale-'));
    try {
      const folder = (name: string, pid: number | null, ageMs: number) => {
        const data = path.join(root, name, 'data');
        mkdirSync(data, { recursive: true });
        if (pid !== null) writeFileSync(path.join(data, 'postmaster.pid'), `${pid}\n${data}\n`);
        const at = (Date.now() - ageMs) / 1000;
        utimesSync(path.join(root, name), at, at);
      };
      const hour = 3_600_000;
      folder('branchline-pg-stopped', null, hour);
      folder('branchline-pg-killed', 2 ** 22 + 12_345, hour); // above Linux's largest pid: no such process
      folder('branchline-pg-live', process.pid, hour);
      folder('branchline-pg-new', null, 1_000);
      folder('unrelated-folder', null, hour);
      removeStaleFolders(root);
      const left = ['branchline-pg-stopped', 'branchline-pg-killed', 'branchline-pg-live', 'branchline-pg-new', 'unrelated-folder'].filter((n) =>
        existsSync(path.join(root, n)),
      );
      expect(left).toEqual(['branchline-pg-live', 'branchline-pg-new', 'unrelated-folder']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(pg.binDir === null)('leaves no server or folder behind when the test process dies without stopping it', async () => {
    const script = `
      import { startPostgresServer } from ${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, 'postgres-server.ts')).href)};
      const server = await startPostgresServer(${JSON.stringify(pg.binDir)});
      console.log(JSON.stringify({ url: server.adminUrl, dir: server.dir }));
      throw new Error('the test run crashed');`;
    const child = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).not.toBe(0);
    const { url, dir } = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { url: string; dir: string };
    expect(existsSync(dir)).toBe(false);
    expect(await accepts(Number(new URL(url).port))).toBe(false);
  });
});
