// Names instead of ids: the assignee, the sender of an outbound message ("You" or the colleague), the agent's teams.
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/contract';
import { agentName, assigneeName, senderOf, teamsLabel } from './people';

const DIRECTORY: Directory = {
  me: { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [{ id: 'main', name: 'Main branch' }] },
  agents: [{ id: 'dana', name: 'Dana Levi', role: 'agent', teamIds: ['main'] }],
  teams: [{ id: 'main', name: 'Main branch' }],
  fetchedAt: 0,
};

describe('names', () => {
  it('a colleague: the name the relay sent, else the directory’s, never an id', () => {
    expect(agentName('dana', { name: 'Dana L.' }, DIRECTORY)).toBe('Dana L.');
    expect(agentName('dana', null, DIRECTORY)).toBe('Dana Levi');
    expect(agentName('u-7781', null, DIRECTORY)).toBe('A colleague');
    expect(agentName('u-7781', null, null)).not.toContain('u-7781');
  });

  it('the assignee, or nobody', () => {
    expect(assigneeName({ assignedAgentId: null }, DIRECTORY)).toBeNull();
    expect(assigneeName({ assignedAgentId: 'dana', assignedAgent: { id: 'dana', name: 'Dana Levi' } }, null)).toBe('Dana Levi');
  });

  it('an outbound message: "You" for this agent’s, the colleague’s name for theirs, "You" when it names nobody', () => {
    expect(senderOf({ senderAgentId: 'ana', sender: { id: 'ana', name: 'Ana Cohen' } }, 'ana', DIRECTORY)).toEqual({ mine: true, name: 'You' });
    expect(senderOf({ senderAgentId: 'dana', sender: { id: 'dana', name: 'Dana Levi' } }, 'ana', DIRECTORY)).toEqual({ mine: false, name: 'Dana Levi' });
    expect(senderOf({ senderAgentId: 'dana' }, 'ana', DIRECTORY)).toEqual({ mine: false, name: 'Dana Levi' });
    expect(senderOf({ senderAgentId: null }, 'ana', DIRECTORY)).toEqual({ mine: true, name: 'You' });
  });

  it('the agent’s teams, for the header', () => {
    expect(
      teamsLabel({
        teams: [
          { id: 'main', name: 'Main branch' },
          { id: 'north', name: 'North branch' },
        ],
      }),
    ).toBe('Main branch, North branch');
  });
});
