// Store contract, agents and teams: adding, revoking, rotating and moving agents (what it does to their conversations,
// sessions and access_version), their devices, the directory, and the teams and numbers an operator registers.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/relay-store';
import { at, customerWrites, kindsFor, NORTH_NUMBER, seedBranches, send, T0, useStore, type OpenStore } from './store-contract-support';

const CLI = { actorId: null, source: 'cli', operator: 'it-admin' };

async function signIn(store: RelayStore, agentId: string, familyId: string): Promise<void> {
  const token = (hash: string) => ({ hash, expiresAt: T0 + 3_600_000 });
  await store.createDeviceSession(
    {
      familyId,
      agentId,
      deviceId: 'tablet',
      firstFactor: 'token',
      createdAt: T0,
      expiresAt: T0 + 86_400_000,
      access: token(`a-${familyId}`),
      refresh: token(`r-${familyId}`),
    },
    { at: T0, action: 'session.sign_in', actorId: agentId, source: '10.0.0.7' },
  );
}

export function agentsContract(open: OpenStore): void {
  describe('agents and access', () => {
    const store = useStore(open);
    let north: string;
    beforeEach(async () => {
      await seedBranches(store());
      north = await customerWrites(store(), '972541112223', 'wamid.N1', { phoneNumberId: NORTH_NUMBER });
    });
    const assignee = async (id: string) => (await store().conversationsById([id]))[0]?.assignedAgentId;
    const version = async (id: string) => (await store().accessVersions([id])).get(id);

    it('puts a new agent in team main as an agent, found by its token hash', async () => {
      const added = await store().addAgent('eli', 'Eli Bar', 'h-eli', T0);
      expect(added).toMatchObject({ ok: true, value: { id: 'eli', name: 'Eli Bar', role: 'agent', teamIds: ['main'], revokedAt: null } });
      expect(await store().findAgentByTokenHash('h-eli')).toEqual({ id: 'eli', name: 'Eli Bar' });
      expect(await store().isAgentActive('eli')).toBe(true);
      expect(await store().agentAccess('eli')).toMatchObject({ role: 'agent', teams: [{ id: 'main', name: 'Main' }], revokedAt: null });
      expect((await store().listAgents()).map((a) => a.id)).toEqual(expect.arrayContaining(['ana', 'eli', 'noa', 'sara']));
      expect(await store().findAgentByTokenHash('h-nobody')).toBeNull();
      expect(await store().agentAccess('nobody')).toBeNull();
    });

    it('refuses an agent in a team that does not exist, or an id already taken, writing nothing', async () => {
      const unknownTeam = await store().addAgent('eli', 'Eli', 'h-eli', T0, { teams: ['north', 'nrth'] });
      expect(unknownTeam).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(unknownTeam.ok || unknownTeam.error.message).toContain('nrth');
      expect(await store().agentAccess('eli')).toBeNull();
      expect(await store().addAgent('noa', 'Someone Else', 'h-other', T0)).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(await store().findAgentByTokenHash('h-noa')).toEqual({ id: 'noa', name: 'Noa Katz' });
      expect(await store().findAgentByTokenHash('h-other')).toBeNull();
    });

    it('revokes: the token stops working, sessions end, access_version moves, her conversations return to the queue', async () => {
      expect((await send(store(), 'noa', north)).ok).toBe(true);
      await signIn(store(), 'noa', 'fam-noa');
      const before = await version('noa');
      const head = await store().head();
      expect(await store().revokeAgent('noa', T0 + 5, CLI)).toEqual({ ok: true, value: { released: [north] } });
      expect(await store().findAgentByTokenHash('h-noa')).toBeNull();
      expect(await store().isAgentActive('noa')).toBe(false);
      expect(await version('noa')).toBeGreaterThan(before!);
      expect(await store().agentAccess('noa')).toMatchObject({ revokedAt: T0 + 5 });
      expect((await store().deviceSessionStates(['fam-noa'])).get('fam-noa')?.revokedAt).not.toBeNull();
      expect(await assignee(north)).toBeNull();
      expect(await kindsFor(store(), ['north'], head)).toEqual(['conversation.upserted']);
      const trail = await store().readAudit({ agentId: 'noa', limit: 50 });
      expect(trail.find((e) => e.action === 'agent.revoke')).toMatchObject({
        actorId: null,
        source: 'cli',
        subjectId: 'noa',
        detail: { operator: 'it-admin' },
      });
      expect(trail.find((e) => e.action === 'conversation.release')).toMatchObject({ conversationId: north });
      expect(await store().revokeAgent('noa', T0 + 6)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await store().revokeAgent('nobody', T0 + 6)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('rotates: the old token stops working, sessions end, conversations stay, a revoked agent comes back', async () => {
      expect((await send(store(), 'noa', north)).ok).toBe(true);
      await signIn(store(), 'noa', 'fam-noa');
      const before = await version('noa');
      const rotated = await store().rotateAgentToken('noa', 'h-noa-2', T0 + 5, CLI);
      expect(rotated).toMatchObject({ ok: true, value: { id: 'noa', revokedAt: null } });
      expect(rotated.ok && rotated.value.accessVersion).toBeGreaterThan(before!);
      expect(await store().findAgentByTokenHash('h-noa')).toBeNull();
      expect(await store().findAgentByTokenHash('h-noa-2')).toEqual({ id: 'noa', name: 'Noa Katz' });
      expect((await store().deviceSessionStates(['fam-noa'])).get('fam-noa')?.revokedAt).not.toBeNull();
      expect(await assignee(north)).toBe('noa');
      expect((await store().readAudit({ agentId: 'noa', limit: 50 })).map((e) => e.action)).toContain('agent.rotate');
      await store().revokeAgent('noa', T0 + 6);
      expect((await store().rotateAgentToken('noa', 'h-noa-3', T0 + 7)).ok).toBe(true);
      expect(await store().isAgentActive('noa')).toBe(true);
      expect(await store().rotateAgentToken('nobody', 'h', T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('moves an agent between teams: what she can no longer see returns to its team; an unknown team changes nothing', async () => {
      expect((await send(store(), 'noa', north)).ok).toBe(true);
      const before = await version('noa');
      expect(await store().setAgentAccess('noa', { teams: ['main', 'nowhere'] }, T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect((await store().agentAccess('noa'))!.teams.map((t) => t.id)).toEqual(['north']);
      expect(await version('noa')).toBe(before);
      const changed = await store().setAgentAccess('noa', { teams: ['main'], role: 'supervisor' }, T0 + 5, CLI);
      expect(changed).toMatchObject({ ok: true, value: { role: 'supervisor', teams: [{ id: 'main', name: 'Main' }] } });
      const after = await version('noa');
      expect(after).toBeGreaterThan(before!);
      expect(await assignee(north)).toBeNull();
      expect((await store().readAudit({ agentId: 'noa', limit: 50 })).map((e) => e.action)).toContain('agent.change');
      // The same again is no change: access_version stays.
      expect(await store().setAgentAccess('noa', { teams: ['main'] }, T0 + 6)).toMatchObject({ ok: true, value: { accessVersion: after } });
      expect(await store().setAgentAccess('nobody', { role: 'agent' }, T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });

    it('releases every conversation of an agent made admin, even in teams she stays in', async () => {
      expect((await send(store(), 'sara', north)).ok).toBe(true);
      expect(await store().setAgentAccess('sara', { role: 'admin' }, T0 + 5)).toMatchObject({ ok: true, value: { role: 'admin' } });
      expect(await assignee(north)).toBeNull();
    });

    it('reads the access_version of several agents at once, leaving unknown ids out', async () => {
      const versions = await store().accessVersions(['noa', 'nobody', 'ana']);
      expect([...versions.keys()].sort()).toEqual(['ana', 'noa']);
      expect(versions.get('noa')).toBe((await store().agentAccess('noa'))!.accessVersion);
      expect((await store().accessVersions([])).size).toBe(0);
    });

    it('remembers the access version each device last connected with; acks leave it be', async () => {
      expect(await store().deviceAccessVersion('noa', 'tablet')).toBeNull();
      await store().recordDeviceAccess('noa', 'tablet', 3, T0);
      await store().recordDeviceAck('noa', 'tablet', 9, T0 + 1);
      await store().recordDeviceAck('noa', 'phone', 2, T0 + 1);
      expect(await store().deviceAccessVersion('noa', 'tablet')).toBe(3);
      expect(await store().deviceAccessVersion('noa', 'phone')).toBeNull();
      await store().recordDeviceAccess('noa', 'tablet', 4, T0 + 2);
      expect(await store().deviceAccessVersion('noa', 'tablet')).toBe(4);
      expect(await store().deviceAccessVersion('tal', 'tablet')).toBeNull();
    });

    it('lists me, the active colleagues of my teams with the teams we share, and every team', async () => {
      await store().revokeAgent('tal', T0);
      expect(await store().directory('noa')).toEqual({
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
      expect(await store().directory('tal')).toBeNull();
      expect(await store().directory('nobody')).toBeNull();
    });

    it('checks the rights of an actor against the agent as she is now', async () => {
      await store().setAgentAccess('noa', { teams: ['main'] }, T0);
      expect(await store().linkCase(north, 'CASE-1', T0, at('noa'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });
  });
}

export function teamsContract(open: OpenStore): void {
  describe('teams and numbers', () => {
    const store = useStore(open);

    it('starts with team main alone; adds teams once, each audited', async () => {
      expect((await store().listTeams()).map((t) => [t.id, t.name])).toEqual([['main', 'Main']]);
      expect(await store().addTeam('north', 'North branch', T0, CLI)).toEqual({ ok: true, value: { id: 'north', name: 'North branch', createdAt: T0 } });
      expect(await store().addTeam('north', 'Another', T0)).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect((await store().listTeams()).map((t) => t.id).sort()).toEqual(['main', 'north']);
      const [entry] = (await store().readAudit({ limit: 10 })).filter((e) => e.action === 'team.add');
      expect(entry).toMatchObject({ actorId: null, source: 'cli', subjectId: 'north', detail: { operator: 'it-admin' } });
    });

    it('registers a number in one team only, keeping its display number out of the audit', async () => {
      await store().addTeam('north', 'North branch', T0);
      const number = { phoneNumberId: NORTH_NUMBER, teamId: 'north', display: '+15550001111' };
      expect(await store().addNumber({ ...number, teamId: 'south' }, T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await store().teamOfNumber(NORTH_NUMBER)).toBeNull();
      expect(await store().addNumber(number, T0, CLI)).toEqual({ ok: true, value: { ...number, createdAt: T0 } });
      expect(await store().addNumber({ ...number, teamId: 'main' }, T0)).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(await store().teamOfNumber(NORTH_NUMBER)).toBe('north');
      expect(await store().listNumbers()).toEqual([{ ...number, createdAt: T0 }]);
      expect([...(await store().servedNumbers())]).toEqual([NORTH_NUMBER]);
      const audit = await store().readAudit({ limit: 10 });
      expect(audit.find((e) => e.action === 'number.add')).toMatchObject({ subjectId: NORTH_NUMBER, source: 'cli' });
      expect(JSON.stringify(audit)).not.toContain('5550001111');
    });
  });
}
