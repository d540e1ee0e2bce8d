// The need-to-know table: who may read, work, assign, transfer and download in whose conversation, and the words of a refusal.
import { describe, expect, it } from 'vitest';
import type { TeamRef } from '../../shared/domain';
import {
  audienceOf,
  decideAssign,
  decideMedia,
  decideRead,
  decideStart,
  decideTransfer,
  decideUpload,
  decideWork,
  maySee,
  teamWords,
  type Caller,
  type AssigneeFacts,
  type ConversationFacts,
  type WorkAction,
} from './access';

const NORTH: TeamRef = { id: 'north', name: 'North branch' };
const SOUTH: TeamRef = { id: 'south', name: 'South branch' };
const BACK: TeamRef = { id: 'back', name: 'Back office team' };

const ana: Caller = { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [NORTH] };
const dana: Caller = { id: 'dana', name: 'Dana Levi', role: 'agent', teams: [NORTH] };
const sam: Caller = { id: 'sam', name: 'Sam South', role: 'agent', teams: [SOUTH] };
const sue: Caller = { id: 'sue', name: 'Sue Visor', role: 'supervisor', teams: [NORTH, SOUTH] };
const sol: Caller = { id: 'sol', name: 'Sol Visor', role: 'supervisor', teams: [SOUTH] };
const root: Caller = { id: 'root', name: 'Root Admin', role: 'admin', teams: [NORTH] };
const lone: Caller = { id: 'lone', name: 'Lone Agent', role: 'agent', teams: [] };

const unassigned: ConversationFacts = { id: 'c1', team: NORTH, assignedAgentId: null, assignedAgent: null };
const danas: ConversationFacts = { id: 'c2', team: NORTH, assignedAgentId: 'dana', assignedAgent: { id: 'dana', name: 'Dana Levi' } };
const anas: ConversationFacts = { id: 'c3', team: NORTH, assignedAgentId: 'ana', assignedAgent: { id: 'ana', name: 'Ana Cohen' } };
const southern: ConversationFacts = { id: 'c4', team: SOUTH, assignedAgentId: null };
const teamless: ConversationFacts = { id: 'c5', assignedAgentId: null };
/** An older producer named the assignee by id only. */
const byIdOnly: ConversationFacts = { id: 'c6', team: NORTH, assignedAgentId: 'dana' };

const asAssignee = (a: Caller, active = true): AssigneeFacts => ({ id: a.id, name: a.name, role: a.role, teamIds: a.teams.map((t) => t.id), active });

/** `ok`, or the refusal's code and words. */
const verdict = (r: { ok: true } | { ok: false; error: { code: string; message: string } }) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`);

describe('who sees what', () => {
  it.each<[string, Caller, string[]]>([
    ['an agent: their teams', ana, ['north']],
    ['a supervisor: every team they are in', sue, ['north', 'south']],
    ['an admin: nothing, whatever teams they are in', root, []],
    ['an agent in no team: nothing', lone, []],
  ])('%s', (_what, actor, audience) => {
    expect(audienceOf(actor)).toEqual(audience);
  });

  it.each<[string, Caller, ConversationFacts, boolean]>([
    ['an agent, a conversation of their team', ana, unassigned, true],
    ["an agent, a colleague's conversation of their team", ana, danas, true],
    ["an agent, another team's conversation", ana, southern, false],
    ['a supervisor of both teams, either', sue, southern, true],
    ['an admin in the team', root, unassigned, false],
    ['anyone, a conversation with no team', sue, teamless, false],
  ])('%s', (_what, actor, conversation, sees) => {
    expect(maySee(actor, conversation)).toBe(sees);
  });
});

describe('reading a conversation', () => {
  it.each<[string, Caller, ConversationFacts, string]>([
    ['its team reads it', ana, danas, 'ok'],
    ['another team is told who handles it', sam, danas, 'forbidden: This conversation is now handled by the North branch team'],
    ['a team named "… team" is not doubled', sam, { ...unassigned, team: BACK }, 'forbidden: This conversation is now handled by the Back office team'],
    [
      'an admin reads no customer content',
      root,
      unassigned,
      'forbidden: Admins manage teams, numbers and agents; customer conversations are not shown to admins',
    ],
    ['a conversation in no team is nobody’s', sue, teamless, 'forbidden: This conversation belongs to no team yet: ask an admin to give its number a team'],
  ])('%s', (_what, actor, conversation, expected) => {
    expect(verdict(decideRead(actor, conversation))).toBe(expected);
  });
});

describe('replying, linking a case, marking read', () => {
  it.each<[string, Caller, ConversationFacts, WorkAction, string]>([
    ['anyone of the team replies in an unassigned conversation', ana, unassigned, 'send', 'ok'],
    ['the assignee replies', ana, anas, 'send', 'ok'],
    ['a teammate may not reply in a colleague’s', ana, danas, 'send', 'forbidden: Assigned to Dana Levi: take it over to reply'],
    ['nor link a case', ana, danas, 'linkCase', 'forbidden: Assigned to Dana Levi: take it over to link a case'],
    ['nor mark it read', ana, danas, 'markRead', 'forbidden: Assigned to Dana Levi: take it over to mark it read'],
    ['an assignee known by id only is named by id', ana, byIdOnly, 'send', 'forbidden: Assigned to dana: take it over to reply'],
    ['a supervisor of the team works in anyone’s', sue, danas, 'send', 'ok'],
    ['a supervisor of another team may not', sol, danas, 'send', 'forbidden: This conversation is now handled by the North branch team'],
    ['another team may not, even unassigned', sam, unassigned, 'markRead', 'forbidden: This conversation is now handled by the North branch team'],
    ['an admin may not', root, unassigned, 'send', 'forbidden: Admins manage teams, numbers and agents; customer conversations are not shown to admins'],
  ])('%s', (_what, actor, conversation, action, expected) => {
    expect(verdict(decideWork(actor, conversation, action))).toBe(expected);
  });
});

describe('assigning, taking over and releasing', () => {
  it.each<[string, Caller, ConversationFacts, string | null, boolean, AssigneeFacts | null, string]>([
    ['taking an unassigned conversation', ana, unassigned, 'ana', false, asAssignee(ana), 'ok'],
    ['taking one’s own again changes nothing', ana, anas, 'ana', false, asAssignee(ana), 'ok'],
    [
      'taking a colleague’s unconfirmed is a conflict naming them',
      ana,
      danas,
      'ana',
      false,
      asAssignee(ana),
      'conflict: Assigned to Dana Levi: confirm to take it over',
    ],
    ['taking a colleague’s, confirmed', ana, danas, 'ana', true, asAssignee(ana), 'ok'],
    ['a supervisor taking one over confirms too', sue, danas, 'sue', false, asAssignee(sue), 'conflict: Assigned to Dana Levi: confirm to take it over'],
    ['releasing one’s own', ana, anas, null, false, null, 'ok'],
    ['releasing an unassigned one changes nothing', ana, unassigned, null, false, null, 'ok'],
    ['a teammate may not release a colleague’s', ana, danas, null, false, null, 'forbidden: Assigned to Dana Levi: only they or a supervisor can release it'],
    ['a supervisor releases anyone’s', sue, danas, null, false, null, 'ok'],
    [
      'an agent may not hand a conversation to a colleague',
      ana,
      unassigned,
      'dana',
      false,
      asAssignee(dana),
      'forbidden: Only a supervisor can assign a conversation to a colleague',
    ],
    ['a supervisor reassigns to a colleague of the team', sue, danas, 'ana', false, asAssignee(ana), 'ok'],
    ['but not to someone outside the team', sue, danas, 'sam', false, asAssignee(sam), 'invalid_input: Sam South is not in the North branch team'],
    ['nor to an admin', sue, unassigned, 'root', false, asAssignee(root), 'invalid_input: Root Admin is not in the North branch team'],
    ['an unknown agent is not found, whoever asks', ana, unassigned, 'nobody', false, null, 'not_found: There is no active agent "nobody"'],
    ['a revoked agent is not found', sue, unassigned, 'dana', false, asAssignee(dana, false), 'not_found: There is no active agent "dana"'],
    [
      'another team may not assign at all',
      sam,
      unassigned,
      'sam',
      false,
      asAssignee(sam),
      'forbidden: This conversation is now handled by the North branch team',
    ],
  ])('%s', (_what, actor, conversation, agentId, takeOver, target, expected) => {
    expect(verdict(decideAssign(actor, conversation, { agentId, takeOver }, target))).toBe(expected);
  });
});

describe('transferring to another team', () => {
  it.each<[string, Caller, ConversationFacts, TeamRef | null, string]>([
    ['a supervisor of the team transfers it', sue, danas, SOUTH, 'ok'],
    ['to a team they are not in, too', { ...sue, teams: [NORTH] }, danas, BACK, 'ok'],
    ['an agent may not', ana, anas, SOUTH, 'forbidden: Only a supervisor can transfer a conversation to another team'],
    ['a supervisor of another team may not', sol, danas, SOUTH, 'forbidden: This conversation is now handled by the North branch team'],
    ['to a team that does not exist', sue, danas, null, 'not_found: There is no team "west"'],
    ['to the team that has it', sue, danas, NORTH, 'invalid_input: This conversation is already handled by the North branch team'],
  ])('%s', (_what, actor, conversation, team, expected) => {
    expect(verdict(decideTransfer(actor, conversation, team, team?.id ?? 'west'))).toBe(expected);
  });
});

describe('files', () => {
  it.each<[string, Caller, { uploadedBy: string | null; teamIds: string[] }, string]>([
    ['one’s own upload, not sent yet', ana, { uploadedBy: 'ana', teamIds: [] }, 'ok'],
    ['a colleague’s upload not sent yet', ana, { uploadedBy: 'dana', teamIds: [] }, 'forbidden: This file belongs to a colleague and has not been sent yet'],
    ['a colleague’s upload sent in a team conversation', ana, { uploadedBy: 'dana', teamIds: ['north'] }, 'ok'],
    ['a customer’s file in a team conversation', ana, { uploadedBy: null, teamIds: ['north'] }, 'ok'],
    ['a file shown in two teams’ conversations, one of them mine', sam, { uploadedBy: null, teamIds: ['north', 'south'] }, 'ok'],
    [
      'a customer’s file in another team’s conversation',
      sam,
      { uploadedBy: null, teamIds: ['north'] },
      'forbidden: This file is in a conversation another team handles',
    ],
    [
      'a file no message carries and nobody uploaded',
      ana,
      { uploadedBy: null, teamIds: [] },
      'forbidden: This file belongs to a colleague and has not been sent yet',
    ],
    [
      'an admin, even their own team’s',
      root,
      { uploadedBy: null, teamIds: ['north'] },
      'forbidden: Admins manage teams, numbers and agents; customer conversations are not shown to admins',
    ],
  ])('%s', (_what, actor, media, expected) => {
    expect(verdict(decideMedia(actor, media))).toBe(expected);
  });

  it('agents and supervisors upload; admins do not', () => {
    expect([ana, sue, root].map((a) => verdict(decideUpload(a)))).toEqual(['ok', 'ok', expect.stringMatching(/^forbidden: Admins/)]);
  });
});

describe('starting a conversation by phone number', () => {
  it.each<[string, Caller, string]>([
    ['an agent in a team', ana, 'ok'],
    ['an agent in no team', lone, 'forbidden: You are in no team yet: ask an admin to add you to one'],
    ['an admin', root, 'forbidden: Admins manage teams, numbers and agents; customer conversations are not shown to admins'],
  ])('%s', (_what, actor, expected) => {
    expect(verdict(decideStart(actor))).toBe(expected);
  });
});

describe('team words', () => {
  it.each<[string, string]>([
    ['North branch', 'the North branch team'],
    ['Back office team', 'the Back office team'],
    ['  Mortgages ', 'the Mortgages team'],
  ])('%s', (name, words) => {
    expect(teamWords({ id: 'x', name })).toBe(words);
  });
});
