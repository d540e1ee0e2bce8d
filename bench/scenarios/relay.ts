// Relay rows: signed webhook intake on SQLite and PostgreSQL, and webhook → console p99 with one and three instances.
import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { generateAgentToken } from '../../src/relay/agent-tokens';
import { findPostgresBinDir, startPostgresServer, type PostgresServer } from '../../src/relay/test-support/postgres-server';
import { startTcpBalancer, type TcpBalancer } from '../../src/relay/test-support/tcp-balancer';
import { stopAll, type BenchChild } from '../lib/child';
import { nowMs } from '../lib/clock';
import type { BenchConfig } from '../lib/config';
import { customerWaId } from '../lib/generate';
import { startConsoleHost, startRelayHost, tempDir } from '../lib/stack';
import { batchBody, inboundBody, postWebhook } from '../lib/webhook';
import { pacedLatencyRuns, type LatencyRun } from './latency';

/** A PostgreSQL server for the section, durable as in production: the test harness starts it with fsync off. */
export async function startBenchPostgres(): Promise<PostgresServer | string> {
  const binDir = findPostgresBinDir();
  if (binDir === undefined) return 'no PostgreSQL binaries found (apt-get install postgresql)';
  const server = await startPostgresServer(binDir);
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    // All three are reloadable settings: the comparison with SQLite (which syncs its WAL) is then like for like.
    for (const setting of ['fsync = on', 'synchronous_commit = on', 'full_page_writes = on']) await admin.query(`ALTER SYSTEM SET ${setting}`);
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
  return server;
}

export interface IntakeRun {
  messagesPerSecond: number;
  posts: number;
  messages: number;
}

/**
 * `senders` clients each POST batches of `perBody` messages back to back for `seconds`; a batch counts once answered
 * 200 (the relay commits before it answers). Each run has a fresh relay and, on PostgreSQL, a fresh database.
 */
export async function intakeRun(database: string | undefined, options: { seconds: number; senders: number; perBody: number; run: number }): Promise<IntakeRun> {
  const dir = tempDir('relay-intake');
  let relay: BenchChild | null = null;
  try {
    const started = await startRelayHost(path.join(dir, 'relay'), { label: 'relay-intake', ...(database !== undefined && { database }) });
    relay = started.relay;
    let posts = 0;
    let seq = 0;
    const body = (sender: number) => {
      const n = seq++;
      const parts = Array.from({ length: options.perBody }, (_, k) => {
        const customer = (sender * options.perBody + k) % 400;
        return inboundBody({
          wamid: `wamid.in-${options.run}-${n}-${k}`,
          from: customerWaId(1_000 + customer),
          name: `Intake ${customer}`,
          text: `in-${n} is my card ready`,
        });
      });
      return batchBody(parts);
    };
    // One unmeasured batch per sender first: connections, statements and JIT warm.
    await Promise.all(Array.from({ length: options.senders }, (_, s) => postWebhook(started.url, body(s))));
    const from = nowMs();
    const end = from + options.seconds * 1000;
    await Promise.all(
      Array.from({ length: options.senders }, async (_, s) => {
        while (nowMs() < end) {
          await postWebhook(started.url, body(s));
          posts++;
        }
      }),
    );
    const elapsedS = (nowMs() - from) / 1000;
    return { messagesPerSecond: (posts * options.perBody) / elapsedS, posts, messages: posts * options.perBody };
  } finally {
    await stopAll(relay);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `instances` relays on one database (SQLite: one instance, its own file), a console through a round-robin balancer
 * in front of them, and paced webhooks posted to the instances in turn.
 */
export async function clusterLatencyRuns(cfg: BenchConfig, database: string | undefined, instances: number): Promise<LatencyRun[]> {
  const dir = tempDir('relay-latency');
  const token = generateAgentToken();
  const relays: BenchChild[] = [];
  let balancer: TcpBalancer | null = null;
  let console: BenchChild | null = null;
  try {
    const urls: string[] = [];
    const ports: number[] = [];
    // One after another: each instance runs migrations at start, and two at once on an empty database would race.
    for (let i = 0; i < instances; i++) {
      const r = await startRelayHost(path.join(dir, `relay-${i}`), { token, label: `relay-${i}`, ...(database !== undefined && { database }) });
      relays.push(r.relay);
      urls.push(r.url);
      ports.push(r.port);
    }
    balancer = await startTcpBalancer(ports);
    console = startConsoleHost(path.join(dir, 'console'), balancer.url, token, 'relay-console');
    await console.next('ready', 30_000);
    await console.call('networkBack');
    await console.call('waitLive', { timeoutMs: 30_000 }, 40_000);
    return await pacedLatencyRuns({ console, webhookUrls: urls, tolerateFailures: true }, cfg, cfg.runs);
  } finally {
    await stopAll(console, ...relays);
    await balancer?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
