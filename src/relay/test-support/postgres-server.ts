// A real, throwaway PostgreSQL server for tests: initdb in a temporary folder, postgres on a free 127.0.0.1 port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** What a developer without PostgreSQL is told, in the skip message and in CI's failure. */
export const POSTGRES_INSTALL_HINT =
  'install PostgreSQL (Debian/Ubuntu: apt-get install postgresql), or set BRANCHLINE_TEST_PG_URL to a server tests may create databases on';

export interface PostgresServer {
  /** A superuser URL on the `postgres` database (no password: trust authentication on loopback only). */
  readonly adminUrl: string;
  /** The temporary folder holding its data and socket; gone after stop() or the process's exit. */
  readonly dir: string;
  /** Stops the server (as a PostgreSQL outage looks to its clients) and starts it again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** What a test run does about PostgreSQL: a server it was given, one it starts, a named skip, or (in CI) a failure. */
export type PostgresPlan =
  | { readonly kind: 'given'; readonly adminUrl: string }
  | { readonly kind: 'start'; readonly binDir: string }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

export function planTestPostgres(env: NodeJS.ProcessEnv, binDir: string | undefined): PostgresPlan {
  const given = env['BRANCHLINE_TEST_PG_URL'];
  if (given !== undefined && given !== '') return { kind: 'given', adminUrl: given };
  if (binDir !== undefined) return { kind: 'start', binDir };
  // CI always has PostgreSQL (.ci/run installs it): there a missing server is a failure, never a quiet skip.
  const required = ['CI', 'BRANCHLINE_REQUIRE_POSTGRES'].find((name) => (env[name] ?? '') !== '');
  if (required !== undefined) return { kind: 'fail', reason: `${required} is set but no PostgreSQL binaries were found: ${POSTGRES_INSTALL_HINT}` };
  return { kind: 'skip', reason: `no PostgreSQL binaries found; ${POSTGRES_INSTALL_HINT}` };
}

/** The folder holding initdb and postgres: Debian's versioned folders (newest first), then pg_config, then PATH. */
export function findPostgresBinDir(root = '/usr/lib/postgresql'): string | undefined {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(path.join(root, v, 'bin'))) return path.join(root, v, 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (has(dir)) return dir;
  } catch {
    // no pg_config: try PATH
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) if (dir !== '' && has(dir)) return dir;
  return undefined;
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` account (Debian's package creates it). */
function runAs(): { uid: number; gid: number; prefix: string[] } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  // setpriv execs postgres itself (runuser would stay as its parent), so the pid we hold is the postmaster's.
  return { uid: id('-u'), gid: id('-g'), prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server. fsync, synchronous commit and full-page writes are off: a test database need not survive power
 * loss, and the machine's disk is shared. Killed and removed on process exit even if the caller never calls stop().
 */
export async function startPostgresServer(binDir: string): Promise<PostgresServer> {
  removeStaleFolders();
  const dir = mkdtempSync(path.join(tmpdir(), `${PREFIX}-`));
  const data = path.join(dir, 'data');
  const user = runAs();
  if (user !== null) chownSync(dir, user.uid, user.gid);
  const command = (bin: string, args: string[]) => (user === null ? [path.join(binDir, bin), ...args] : [...user.prefix, path.join(binDir, bin), ...args]);
  const [initdb, ...initArgs] = command('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  execFileSync(initdb ?? 'initdb', initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });

  const port = await freePort();
  let child: ChildProcess | null = null;
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const launch = async () => {
    const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
    const [bin, ...args] = command('postgres', ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])]);
    const started = spawn(bin ?? 'postgres', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const fail = (why: string) => reject(new Error(`PostgreSQL did not start (${why}):\n${log.slice(-2000)}`));
      started.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('ready to accept connections')) resolve();
      });
      started.once('exit', (code) => fail(`exit code ${code}`));
      started.once('error', (error) => fail(error.message));
    });
  };
  const halt = async () => {
    const running = child;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, as in an operator's restart.
    running.kill('SIGINT');
    await exited;
    child = null;
  };

  await launch();
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PREFIX = 'branchline-pg';
const STALE_AFTER_MS = 10 * 60_000;

/**
 * Folders an earlier run could not remove (its process was killed outright, so no exit handler ran): removed once no
 * postmaster runs in them and they are old enough not to be another run's server still being set up.
 */
export function removeStaleFolders(root = tmpdir(), now = Date.now()): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith(`${PREFIX}-`)) continue;
    const dir = path.join(root, name);
    try {
      if (now - statSync(dir).mtimeMs < STALE_AFTER_MS || postmasterRunning(path.join(dir, 'data'))) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone meanwhile, or not ours to read: leave it
    }
  }
}

function postmasterRunning(data: string): boolean {
  const pidFile = path.join(data, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    // EPERM: it exists, as another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

let counter = 0;

/** A new, empty database on the server behind `adminUrl`; returns its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `bl_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
