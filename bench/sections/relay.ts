// The relay's own rows (issue 17): webhook intake and webhook → console p99 on SQLite, PostgreSQL, and three instances.
import { createDatabase, type PostgresServer } from '../../src/relay/test-support/postgres-server';
import type { BenchConfig } from '../lib/config';
import { spread, type Spread } from '../lib/stats';
import { fmt, fmtRatio, fmtSpread, notMeasured, type Row } from '../lib/table';
import { clusterLatencyRuns, intakeRun, startBenchPostgres, type IntakeRun } from '../scenarios/relay';
import type { LatencyRun } from '../scenarios/latency';
import type { Progress, Section } from './section';

const p99Text = (runs: LatencyRun[]) => {
  const p99 = spread(runs.map((r) => r.changed.p99));
  const p50 = spread(runs.map((r) => r.changed.p50));
  return { p99, text: `p50 ${fmt(p50.median, 1)} / p99 ${fmt(p99.median, 1)} ms (p99 min ${fmt(p99.min, 1)}, max ${fmt(p99.max, 1)}; ${p99.runs} runs)` };
};

export async function relaySection(cfg: BenchConfig, progress: Progress): Promise<Section> {
  const pgOrReason = await startBenchPostgres();
  const server: PostgresServer | null = typeof pgOrReason === 'string' ? null : pgOrReason;
  const noPg = typeof pgOrReason === 'string' ? pgOrReason : '';
  try {
    const intake = { seconds: cfg.relayIntakeSeconds, senders: cfg.relayIntakeSenders, perBody: cfg.relayIntakePerBody };
    const intakeRuns = async (kind: 'sqlite' | 'postgres'): Promise<IntakeRun[]> => {
      const out: IntakeRun[] = [];
      for (let run = 1; run <= cfg.runs; run++) {
        const database = kind === 'postgres' && server !== null ? await createDatabase(server.adminUrl) : undefined;
        out.push(await intakeRun(database, { ...intake, run }));
      }
      progress(`relay intake on ${kind}: ${out.map((r) => fmt(r.messagesPerSecond)).join(', ')} msg/s`);
      return out;
    };
    const sqliteIntake = spread((await intakeRuns('sqlite')).map((r) => r.messagesPerSecond));
    const pgIntake: Spread | null = server === null ? null : spread((await intakeRuns('postgres')).map((r) => r.messagesPerSecond));

    const latency = async (label: string, database: string | undefined, instances: number) => {
      const runs = await clusterLatencyRuns(cfg, database, instances);
      progress(
        `relay latency ${label}: p99 ${runs.map((r) => fmt(r.changed.p99, 1)).join(', ')} ms; lost ${runs.reduce((s, r) => s + r.lost, 0)}, failed ${runs.reduce((s, r) => s + r.failed, 0)}`,
      );
      return runs;
    };
    const sqliteLatency = await latency('SQLite, 1 instance', undefined, 1);
    const pgOne = server === null ? null : await latency('PostgreSQL, 1 instance', await createDatabase(server.adminUrl), 1);
    const pgThree = server === null ? null : await latency('PostgreSQL, 3 instances', await createDatabase(server.adminUrl), 3);

    const shape = `${intake.senders} senders, ${intake.perBody} messages a POST, ${intake.seconds} s`;
    const paced = `${cfg.latencyPerSecond}/s for ${cfg.latencySeconds} s`;
    const sqliteP99 = p99Text(sqliteLatency);
    const rows: Row[] = [
      {
        id: '8a',
        scenario: `relay: webhook intake, SQLite, 1 instance (${shape})`,
        figure: fmtSpread(sqliteIntake, 'msg/s'),
        baseline: '—',
        ratio: '—',
        goal: '—',
        data: { sqliteIntake },
      },
      pgIntake === null
        ? notMeasured('8b', 'relay: webhook intake, PostgreSQL, 1 instance', '—', noPg)
        : {
            id: '8b',
            scenario: `relay: webhook intake, PostgreSQL, 1 instance (${shape})`,
            figure: fmtSpread(pgIntake, 'msg/s'),
            baseline: `SQLite ${fmtSpread(sqliteIntake, 'msg/s')}`,
            ratio: fmtRatio(pgIntake.median / sqliteIntake.median, 'SQLite (higher is better)'),
            goal: '—',
            data: { pgIntake },
          },
      {
        id: '8c',
        scenario: `relay: webhook → console change, SQLite, 1 instance, ${paced}`,
        figure: sqliteP99.text,
        baseline: '—',
        ratio: '—',
        goal: '—',
        data: { p99: sqliteP99.p99 },
      },
    ];
    if (pgOne === null || pgThree === null) {
      rows.push(notMeasured('8d', 'relay: webhook → console change, PostgreSQL', '—', noPg));
    } else {
      const one = p99Text(pgOne);
      const three = p99Text(pgThree);
      rows.push(
        {
          id: '8d',
          scenario: `relay: webhook → console change, PostgreSQL, 1 instance, ${paced}`,
          figure: one.text,
          baseline: `SQLite ${sqliteP99.text}`,
          ratio: fmtRatio(one.p99.median / sqliteP99.p99.median, 'SQLite p99 (lower is better)'),
          goal: '—',
          data: { p99: one.p99 },
        },
        {
          id: '8e',
          scenario: `relay: webhook → console change, PostgreSQL, 3 instances (webhooks round robin), ${paced}`,
          figure: three.text,
          baseline: `1 instance ${one.text}`,
          ratio: fmtRatio(three.p99.median / one.p99.median, 'one instance p99 (lower is better)'),
          goal: '—',
          data: { p99: three.p99, lost: pgThree.reduce((s, r) => s + r.lost, 0) },
        },
      );
    }
    const all = [sqliteLatency, pgOne ?? [], pgThree ?? []].flat();
    const lost = all.reduce((s, r) => s + r.lost, 0);
    const failed = all.reduce((s, r) => s + r.failed, 0);
    const notes = [
      `8: one machine of 2 cores runs the relays, PostgreSQL (fsync, synchronous_commit and full_page_writes on, as in production), the console and the load generator; ${lost} paced messages never produced a change event within 15 s, ${failed} webhooks got no 200 (refused or reset). With 3 instances the console is on one instance (through the loopback balancer) and two thirds of the webhooks commit through the others: they reach it through the shared database's wake-up path as this build has it.`,
    ];
    return { rows, notes };
  } finally {
    await server?.stop();
  }
}
