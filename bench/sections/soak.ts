// Scenario 7 (second half): the console core's RSS after a bounded soak of mixed traffic.
import type { BenchConfig } from '../lib/config';
import { fmt, fmtRatio, type Row } from '../lib/table';
import { idleRssMb } from '../scenarios/baselines';
import { soakRun } from '../scenarios/soak';
import { verdict, type Progress, type Section } from './section';

export async function soakSection(cfg: BenchConfig, progress: Progress): Promise<Section> {
  const reconnectEveryMs = cfg.mode === 'quick' ? 10_000 : 60_000;
  const r = await soakRun(cfg.soakMs, reconnectEveryMs);
  const idle = await idleRssMb();
  progress(`soak: RSS ${fmt(r.finalRssMb)} MB after ${fmt(r.seconds)} s`);
  const rows: Row[] = [
    {
      id: '7b',
      scenario: `console core RSS after ${fmt(cfg.soakMs / 1000)} s soak of mixed traffic`,
      figure: `${fmt(r.finalRssMb)} MB (1 run; samples min ${fmt(r.minRssMb)}, max ${fmt(r.maxRssMb)}; heap ${fmt(r.finalHeapMb)} MB)`,
      baseline: `idle node+tsx process ${fmt(idle)} MB`,
      ratio: fmtRatio(r.finalRssMb / idle, 'idle'),
      goal: `≤ 200 MB: ${verdict(r.maxRssMb <= 200)}`,
      data: { ...r, idleMb: idle },
    },
  ];
  const notes = [
    `7: soak traffic: ${fmt(r.inbound)} inbound webhooks (20/s, 100 customers), ${fmt(r.replies)} agent replies (5/s; fake WhatsApp answers each with sent, delivered, read), ${fmt(r.reads)} UI reads (list + a page), ${r.reconnects} reconnects, ${r.errors} errors. RSS sampled once a second; the soak is one run, so its min and max are over samples, not runs.`,
  ];
  return { rows, notes };
}
