// Need-to-know as the store re-checks it inside each change: who may see, work, assign and transfer, and the words.
import { describe, expect, it } from 'vitest';
import type { TeamRef } from '../../shared/domain';
import {
  assignRefusal,
  readRefusal,
  startRefusal,
  transferRefusal,
  transferTarget,
  workRefusal,
  type AgentFacts,
  type WorkedConversation,
} from './work-refusals';

const NORTH: TeamRef = { id: 'north', name: 'North branch' };
const SOUTH: TeamRef = { id: 'south', name: 'South branch' };

const agent = (id: string, name: string, role: AgentFacts['role'], teams: TeamRef[], revokedAt: number | null = null): AgentFacts => ({
  id,
  name,
  role,
  teams,
  revokedAt,
});
const ana = agent('ana', 'Ana Cohen', 'agent', [NORTH]);
const dana = agent('dana', 'Dana Levi', 'agent', [NORTH]);
const sam = agent('sam', 'Sam South', 'agent', [SOUTH]);
const sue = agent('sue', 'Sue Visor', 'supervisor', [NORTH, SOUTH]);
const root = agent('root', 'Root Admin', 'admin', [NORTH]);
const gone = agent('eli', 'Eli Gone', 'agent', [NORTH], 1);

const unassigned: WorkedConversation = { team: NORTH, assignedAgentId: null, assigneeName: null };
const danas: WorkedConversation = { team: NORTH, assignedAgentId: 'dana', assigneeName: 'Dana Levi' };

const words = (refusal: { message: string } | null) => refusal?.message ?? null;

describe('seeing and working a conversation', () => {
  it('lets a team member see it, and tells others who handles it, admins why not, and a revoked agent so', () => {
    expect(readRefusal(ana, NORTH)).toBeNull();
    expect(words(readRefusal(sam, NORTH))).toBe('This conversation is now handled by the North branch team');
    expect(words(readRefusal(root, NORTH))).toBe('Admins manage teams, numbers and agents; customer conversations are not shown to admins');
    expect(words(readRefusal(gone, NORTH))).toBe('This agent has been revoked');
    expect(words(readRefusal(null, NORTH))).toBe('This agent has been revoked');
  });

  it('leaves an assigned conversation to its assignee or a supervisor, naming who has it and what to do', () => {
    expect(workRefusal(ana, unassigned, 'send')).toBeNull();
    expect(workRefusal(dana, danas, 'send')).toBeNull();
    expect(workRefusal(sue, danas, 'linkCase')).toBeNull();
    expect(words(workRefusal(ana, danas, 'send'))).toBe('Assigned to Dana Levi: take it over to reply');
    expect(words(workRefusal(ana, { ...danas, assigneeName: null }, 'markRead'))).toBe('Assigned to dana: take it over to mark it read');
    expect(workRefusal(ana, danas, 'send')).toMatchObject({ code: 'forbidden', retryable: false });
  });

  it('starts a conversation on a number only for its team, naming the team to everyone else who works', () => {
    expect(startRefusal(ana, NORTH)).toBeNull();
    expect(words(startRefusal(sam, NORTH))).toBe('Conversations on this number are handled by the North branch team');
    expect(words(startRefusal(root, NORTH))).toBe('Admins manage teams, numbers and agents; customer conversations are not shown to admins');
    expect(words(startRefusal(gone, NORTH))).toBe('This agent has been revoked');
  });
});

describe('assigning', () => {
  const take = (agentId: string | null, takeOver = false) => ({ agentId, takeOver });

  it('lets an agent take an unassigned conversation, and asks them to confirm taking over a colleague’s', () => {
    expect(assignRefusal(ana, unassigned, take('ana'), ana)).toBeNull();
    expect(assignRefusal(ana, danas, take('ana'), ana)).toMatchObject({ code: 'conflict', message: 'Assigned to Dana Levi: confirm to take it over' });
    expect(assignRefusal(ana, danas, take('ana', true), ana)).toBeNull();
  });

  it('lets only the assignee or a supervisor release it, and only a supervisor hand it to a colleague of the team', () => {
    expect(assignRefusal(dana, danas, take(null), null)).toBeNull();
    expect(assignRefusal(sue, danas, take(null), null)).toBeNull();
    expect(words(assignRefusal(ana, danas, take(null), null))).toBe('Assigned to Dana Levi: only they or a supervisor can release it');
    expect(words(assignRefusal(ana, unassigned, take('dana'), dana))).toBe('Only a supervisor can assign a conversation to a colleague');
    expect(assignRefusal(sue, unassigned, take('dana'), dana)).toBeNull();
    expect(assignRefusal(sue, unassigned, take('sam'), sam)).toMatchObject({ code: 'invalid_input', message: 'Sam South is not in the North branch team' });
    expect(assignRefusal(sue, unassigned, take('eli'), gone)).toMatchObject({ code: 'not_found', message: 'There is no active agent "eli"' });
    expect(assignRefusal(sue, unassigned, take('nobody'), null)?.code).toBe('not_found');
  });

  it('refuses anything to an agent who may not see the conversation, first', () => {
    expect(words(assignRefusal(sam, unassigned, take('sam'), sam))).toBe('This conversation is now handled by the North branch team');
    expect(words(assignRefusal(null, unassigned, take('ana'), ana))).toBe('This agent has been revoked');
  });
});

describe('transferring', () => {
  it('lets only a supervisor of the team move it, to another team that exists', () => {
    expect(transferRefusal(sue, unassigned)).toBeNull();
    expect(words(transferRefusal(ana, unassigned))).toBe('Only a supervisor can transfer a conversation to another team');
    expect(transferTarget(unassigned, 'south', SOUTH)).toEqual({ ok: true, value: SOUTH });
    expect(transferTarget(unassigned, 'west', undefined)).toMatchObject({ ok: false, error: { code: 'not_found', message: 'There is no team "west"' } });
    expect(transferTarget(unassigned, 'north', NORTH)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'This conversation is already handled by the North branch team' },
    });
  });
});
