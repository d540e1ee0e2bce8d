// Agents and their devices on SQLite: tokens stored only as hashes, revocation, each device's last ack.
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/errors';
import type { RelayDatabase } from './relay-db';
import type { Agent, AgentRecord } from './relay-store';
import { parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import { AgentRow, toAgentRecord } from './sqlite-rows';

const ActiveAgent = z.object({ id: z.string().min(1), name: z.string() });

export class SqliteAgents {
  constructor(private readonly db: RelayDatabase) {}

  add(id: string, name: string, tokenHash: string, now: number): Result<AgentRecord> {
    const existing = this.db.prepare('SELECT 1 FROM agents WHERE id = ?').get(id);
    if (existing !== undefined) return fail('conflict', `agent ${id} already exists`);
    this.db.prepare('INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run(id, name, tokenHash, now);
    return ok({ id, name, createdAt: now, revokedAt: null });
  }

  /** Creates or re-keys an agent (the sandbox's demo agent gets a fresh token each start). */
  setToken(id: string, name: string, tokenHash: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, revoked_at = NULL`,
      )
      .run(id, name, tokenHash, now);
  }

  list(): AgentRecord[] {
    const rows = this.db.prepare('SELECT id, name, created_at, revoked_at FROM agents ORDER BY id').all();
    return parseRows('agents', AgentRow, rows).map(toAgentRecord);
  }

  revoke(id: string, now: number): boolean {
    return this.db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  findByTokenHash(tokenHash: string): Agent | null {
    return (
      parseRowIfAny('agents', ActiveAgent, this.db.prepare('SELECT id, name FROM agents WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash)) ?? null
    );
  }

  isActive(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM agents WHERE id = ? AND revoked_at IS NULL').get(id) !== undefined;
  }

  recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): void {
    this.db
      .prepare(
        `INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (agent_id, device_id) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq), last_seen_at = excluded.last_seen_at`,
      )
      .run(agentId, deviceId, seq, now);
  }
}
