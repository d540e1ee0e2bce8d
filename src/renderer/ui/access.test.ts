// What an agent may do in a conversation, as the relay decides it: table-tested.
import { describe, expect, it } from 'vitest';
import type { SessionAgent } from '../../shared/contract';
import { accessOf } from './access';

const MAIN = { id: 'main', name: 'Main branch' };
const NORTH = { id: 'north', name: 'North branch' };
const ANA: SessionAgent = { id: 'ana', name: 'Ana', role: 'agent', teams: [MAIN] };
const SAM: SessionAgent = { id: 'sam', name: 'Sam', role: 'supervisor', teams: [MAIN] };

describe('accessOf', () => {
  it.each([
    ['unassigned, an agent', null, MAIN, ANA, { mine: false, readOnly: false, canTakeOver: false, canRelease: false, canTransfer: false }],
    ['mine', 'ana', MAIN, ANA, { mine: true, readOnly: false, canTakeOver: false, canRelease: true, canTransfer: false }],
    ['a colleague’s, an agent', 'dana', MAIN, ANA, { heldByColleague: true, readOnly: true, canTakeOver: true, canRelease: false, canTransfer: false }],
    ['a colleague’s, their supervisor', 'dana', MAIN, SAM, { readOnly: false, canTakeOver: true, canRelease: true, canTransfer: true }],
    ['a colleague’s in a team the supervisor does not lead', 'dana', NORTH, SAM, { readOnly: true, canRelease: false, canTransfer: false }],
    ['a colleague’s, nobody signed in', 'dana', MAIN, null, { readOnly: true, canTakeOver: true }],
  ] as const)('%s', (_what, assignedAgentId, team, me, expected) => {
    expect(accessOf({ assignedAgentId, team }, me)).toMatchObject(expected);
  });
});
