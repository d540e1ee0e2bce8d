// The store's need-to-know on a real SQLite file: two teams with a number each, an agent each and a supervisor of both.
// Who is told what, who may write where, take-overs, transfers, revocation and rotation, and what the audit keeps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../shared/protocol-events';
import { uuidv7 } from '../../shared/uuidv7';
import { openSqliteRelayStore, type RelayDatabase } from './relay-db';
import type { SqlRelayStore } from './sql-relay-store';

const MAIN_NUMBER = '106540352242922';
const NORTH_NUMBER = '106540352242999';
const T0 = Date.UTC(2026, 3, 1, 9);
const at = (source: string, agentId: string) => ({ agentId, source });

let store: SqlRelayStore;
let db: RelayDatabase;
let northConversation: string;

beforeEach(async () => {
  ({ store, raw: db } = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-ntk-')), { phoneNumberId: MAIN_NUMBER }));
  await store.addTeam('north', 'North branch', T0);
  await store.addNumber({ phoneNumberId: NORTH_NUMBER, teamId: 'north', display: null }, T0);
  await store.addAgent('ana', 'Ana Cohen', 'h-ana', T0);
  await store.addAgent('noa', 'Noa Katz', 'h-noa', T0, { teams: ['north'] });
  await store.addAgent('sara', 'Sara Levi', 'h-sara', T0, { teams: ['main', 'north'], role: 'supervisor' });
  await store.addAgent('ido', 'Ido Admin', 'h-ido', T0, { teams: [], role: 'admin' });
  northConversation = await customerWrites(NORTH_NUMBER, '972541112223', 'wamid.N1');
});
afterEach(async () => {
  await store.close();
});

async function customerWrites(phoneNumberId: string, waId: string, wamid: string): Promise<string> {
  const message = { wamid, from: { waId, bsuid: null, username: null, profileName: null }, timestamp: T0, content: { type: 'text' as const, body: 'hi' } };
  await store.recordWebhook(
    { messages: [{ ...message, contextWamid: null, phoneNumberId, groupId: null }], revisions: [], statuses: [], accountEvents: [], errors: [], skipped: [] },
    T0,
  );
  const row = db.prepare('SELECT c.id FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE cu.wa_id = ? AND c.phone_number_id = ?');
  return (row.get(waId, phoneNumberId) as { id: string }).id;
}

const send = (agentId: string, conversationId: string, clientMessageId = uuidv7()) =>
  store.acceptSend({
    agentId,
    params: { clientMessageId, conversationId, content: { type: 'text', body: 'Hello' } },
    requestHash: clientMessageId,
    now: T0 + 1000,
    phoneNumberId: MAIN_NUMBER,
    phoneNumberOnly: false,
    source: '10.0.0.7',
  });
const kinds = async (teams: string[], after = 0) => (await store.readEventsFor(teams, after, 100)).events.map((e) => (JSON.parse(e.json) as RelayEvent).kind);
const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('who is told what', () => {
  it('tells a customer’s message to the team of the number they wrote to, and nobody else', async () => {
    expect(await kinds(['north'])).toEqual(['message.created', 'conversation.upserted']);
    expect(await kinds(['main'])).toEqual([]);
    expect(await kinds([])).toEqual([]);
  });

  it('reads at most `limit` events across teams in seq order, and says how far the answer is complete', async () => {
    await customerWrites(MAIN_NUMBER, '972541234567', 'wamid.M1');
    await customerWrites(NORTH_NUMBER, '972541112224', 'wamid.N2');
    const all = await store.readEventsFor(['main', 'north'], 0, 100);
    expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.throughSeq).toBe(6);
    const page = await store.readEventsFor(['main', 'north'], 0, 3);
    expect(page.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(page.throughSeq).toBe(3);
    // North's two first events fill its limit: the answer is complete only up to its second, though main's 3 is later.
    const cut = await store.readEventsFor(['north'], 0, 2);
    expect(cut).toMatchObject({ events: [{ seq: 1 }, { seq: 2 }], throughSeq: 2 });
  });
});

describe('who may write where', () => {
  it('refuses an agent of another team, storing nothing, with words naming the team', async () => {
    const before = [count('messages'), count('events'), count('audit')];
    const refused = await send('ana', northConversation);
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'This conversation is now handled by the North branch team' } });
    expect([count('messages'), count('events'), count('audit')]).toEqual(before);
  });

  it('makes the first responder the owner; a teammate is then refused, a supervisor is not; an admin never writes', async () => {
    await store.addAgent('tal', 'Tal North', 'h-tal', T0, { teams: ['north'] });
    expect((await send('noa', northConversation)).ok).toBe(true);
    const refused = await send('tal', northConversation);
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Assigned to Noa Katz: take it over to reply' } });
    const link = await store.linkCase(northConversation, 'CASE-1', T0, at('10.0.0.8', 'tal'));
    expect(link).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await send('sara', northConversation)).ok).toBe(true);
    expect(await send('ido', northConversation)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const sent = await store.readAudit({ conversationId: northConversation, limit: 10 });
    expect(sent.filter((e) => e.action === 'message.send').map((e) => [e.actorId, e.source, e.detail?.['type']])).toEqual([
      ['noa', '10.0.0.7', 'text'],
      ['sara', '10.0.0.7', 'text'],
    ]);
  });

  it('names every outbound message’s sender and the assignee, and sends from the conversation’s number', async () => {
    const sent = await send('noa', northConversation);
    expect(sent.ok && sent.value.sender).toEqual({ id: 'noa', name: 'Noa Katz' });
    const [conversation] = await store.conversationsById([northConversation]);
    expect(conversation).toMatchObject({ assignedAgent: { id: 'noa', name: 'Noa Katz' }, team: { id: 'north', name: 'North branch' } });
    expect((await store.dueJobs(T0 + 2000, 10)).map((j) => j.phoneNumberId)).toEqual([NORTH_NUMBER]);
  });
});

describe('take-over, release and transfer', () => {
  beforeEach(async () => {
    await store.addAgent('tal', 'Tal North', 'h-tal', T0, { teams: ['north'] });
    await send('noa', northConversation);
  });

  it('asks a teammate to confirm a take-over, then records it and tells the team who has it now', async () => {
    const unconfirmed = await store.assign(northConversation, 'tal', T0, { actor: at('10.0.0.9', 'tal') });
    expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'conflict', message: 'Assigned to Noa Katz: confirm to take it over' } });
    const head = await store.head();
    const taken = await store.assign(northConversation, 'tal', T0, { actor: at('10.0.0.9', 'tal'), takeOver: true });
    expect(taken.ok && taken.value.assignedAgent).toEqual({ id: 'tal', name: 'Tal North' });
    expect(await kinds(['north'], head)).toEqual(['conversation.upserted']);
    expect((await store.readAudit({ agentId: 'tal', limit: 10 })).filter((e) => e.action.startsWith('conversation.'))).toMatchObject([
      { action: 'conversation.take_over', source: '10.0.0.9', conversationId: northConversation, detail: { from: 'noa', to: 'tal' } },
    ]);
    // Noa no longer owns it: her release is refused, a supervisor's is not.
    expect(await store.assign(northConversation, null, T0, { actor: at('x', 'noa') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await store.assign(northConversation, null, T0, { actor: at('x', 'sara') })).toMatchObject({ ok: true, value: { assignedAgentId: null } });
  });

  it('lets only a supervisor of the team transfer; the old team is told it left, the new one gets it, both-team agents only the latter', async () => {
    expect(await store.transfer(northConversation, 'main', T0, at('x', 'noa'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await store.transfer(northConversation, 'south', T0, at('x', 'sara'))).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const head = await store.head();
    const moved = await store.transfer(northConversation, 'main', T0, at('10.1.1.1', 'sara'));
    expect(moved).toMatchObject({ ok: true, value: { team: { id: 'main', name: 'Main' }, assignedAgentId: null } });
    expect(await kinds(['north'], head)).toEqual(['conversation.removed']);
    expect(await kinds(['main'], head)).toEqual(['conversation.upserted']);
    expect(await kinds(['main', 'north'], head)).toEqual(['conversation.upserted']);
    expect(await send('noa', northConversation)).toMatchObject({ ok: false, error: { message: 'This conversation is now handled by the Main team' } });
    expect((await send('ana', northConversation)).ok).toBe(true);
  });
});

describe('revocation, rotation and changes of access', () => {
  beforeEach(async () => {
    await send('noa', northConversation);
  });

  it('revokes: the token stops working, access_version moves, her conversations return to the team queue, all audited', async () => {
    const before = (await store.accessVersions(['noa'])).get('noa')!;
    const head = await store.head();
    const revoked = await store.revokeAgent('noa', T0, { actorId: null, source: 'cli', operator: 'it-admin' });
    expect(revoked).toEqual({ ok: true, value: { released: [northConversation] } });
    expect(await store.findAgentByTokenHash('h-noa')).toBeNull();
    expect((await store.accessVersions(['noa'])).get('noa')).toBeGreaterThan(before);
    expect(await kinds(['north'], head)).toEqual(['conversation.upserted']);
    expect((await store.conversationsById([northConversation]))[0]!.assignedAgentId).toBeNull();
    const trail = await store.readAudit({ agentId: 'noa', limit: 10 });
    expect(trail.find((e) => e.action === 'agent.revoke')).toMatchObject({ actorId: null, source: 'cli', subjectId: 'noa', detail: { operator: 'it-admin' } });
    expect(trail.find((e) => e.action === 'conversation.release')).toMatchObject({ conversationId: northConversation, detail: { reason: 'revoked' } });
    expect(await send('noa', northConversation)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await store.revokeAgent('noa', T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('rotates: a new token, the old one refused, a revoked agent back, conversations kept', async () => {
    const rotated = await store.rotateAgentToken('noa', 'h-noa-2', T0);
    expect(rotated.ok).toBe(true);
    expect(await store.findAgentByTokenHash('h-noa')).toBeNull();
    expect(await store.findAgentByTokenHash('h-noa-2')).toEqual({ id: 'noa', name: 'Noa Katz' });
    expect((await store.conversationsById([northConversation]))[0]!.assignedAgentId).toBe('noa');
    await store.revokeAgent('noa', T0);
    expect((await store.rotateAgentToken('noa', 'h-noa-3', T0)).ok).toBe(true);
    expect(await store.isAgentActive('noa')).toBe(true);
    expect(await store.rotateAgentToken('nobody', 'h', T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('moves an agent between teams: what she can no longer see returns to its team; an unknown team changes nothing', async () => {
    expect(await store.setAgentAccess('noa', { teams: ['main', 'nowhere'] }, T0)).toMatchObject({ ok: false, error: { message: 'there is no team nowhere' } });
    expect((await store.agentAccess('noa'))!.teams.map((t) => t.id)).toEqual(['north']);
    const changed = await store.setAgentAccess('noa', { teams: ['main'], role: 'supervisor' }, T0);
    expect(changed).toMatchObject({ ok: true, value: { role: 'supervisor', teams: [{ id: 'main', name: 'Main' }], accessVersion: 2 } });
    expect((await store.conversationsById([northConversation]))[0]!.assignedAgentId).toBeNull();
    // The same again is no change: access_version stays.
    expect(await store.setAgentAccess('noa', { teams: ['main'] }, T0)).toMatchObject({ ok: true, value: { accessVersion: 2 } });
  });

  it('refuses a new agent in a team that does not exist, writing nothing', async () => {
    expect(await store.addAgent('eli', 'Eli', 'h-eli', T0, { teams: ['north', 'nrth'] })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await store.listAgents()).map((a) => a.id)).not.toContain('eli');
  });
});

describe('directory and devices', () => {
  it('lists me, the colleagues of my teams with the teams we share, and every team', async () => {
    const noa = await store.directory('noa');
    expect(noa).toEqual({
      me: { id: 'noa', name: 'Noa Katz', role: 'agent', teams: [{ id: 'north', name: 'North branch' }] },
      agents: [
        { id: 'noa', name: 'Noa Katz', role: 'agent', teamIds: ['north'] },
        { id: 'sara', name: 'Sara Levi', role: 'supervisor', teamIds: ['north'] },
      ],
      teams: [
        { id: 'main', name: 'Main' },
        { id: 'north', name: 'North branch' },
      ],
    });
    expect(await store.directory('nobody')).toBeNull();
  });

  it('remembers the access version a device last connected with', async () => {
    expect(await store.deviceAccessVersion('noa', 'tablet')).toBeNull();
    await store.recordDeviceAccess('noa', 'tablet', 3, T0);
    await store.recordDeviceAck('noa', 'tablet', 9, T0);
    expect(await store.deviceAccessVersion('noa', 'tablet')).toBe(3);
  });
});
