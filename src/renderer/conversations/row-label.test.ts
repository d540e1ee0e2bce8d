// A conversation row names people, never ids: the assignee, and who wrote the last outbound message.
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/contract';
import { summary } from '../test-support/fake-api';
import { assignmentLabel, previewLine, rowAccessibleName, teamLabel } from './row-label';

const DIRECTORY: Directory = {
  me: { id: 'me', name: 'Agent Me', role: 'agent', teams: [] },
  agents: [{ id: 'dana', name: 'Dana Levi', role: 'agent', teamIds: [] }],
  teams: [],
  fetchedAt: 0,
};

describe('row labels', () => {
  it('the assignee: Mine, Unassigned, or the colleague’s name', () => {
    expect(assignmentLabel({ assignedAgentId: 'me' }, 'me', DIRECTORY)).toBe('Mine');
    expect(assignmentLabel({ assignedAgentId: null }, 'me', DIRECTORY)).toBe('Unassigned');
    expect(assignmentLabel({ assignedAgentId: 'yossi', assignedAgent: { id: 'yossi', name: 'Yossi Cohen' } }, 'me', DIRECTORY)).toBe('Yossi Cohen');
    expect(assignmentLabel({ assignedAgentId: 'dana' }, 'me', DIRECTORY)).toBe('Dana Levi');
  });

  it('the preview of an outbound message: "You: …" for mine, "<name>: …" for a colleague’s', () => {
    const mine = summary('a', {}, { preview: 'On my way', previewDirection: 'out', previewSender: { id: 'me', name: 'Agent Me' } });
    const theirs = summary('b', {}, { preview: 'On my way', previewDirection: 'out', previewSender: { id: 'dana', name: 'Dana Levi' } });
    const unknown = summary('c', {}, { preview: 'On my way', previewDirection: 'out' });
    expect(previewLine(mine, undefined, 'me', DIRECTORY).text).toBe('You: On my way');
    expect(previewLine(theirs, undefined, 'me', DIRECTORY).text).toBe('Dana Levi: On my way');
    expect(previewLine(unknown, undefined, 'me', DIRECTORY).text).toBe('You: On my way');
  });

  it('the team, only for an agent of several teams, and in the row’s accessible name', () => {
    const north = { team: { id: 'north', name: 'North branch' } };
    expect(teamLabel(north, [{ id: 'main' }])).toBeNull();
    expect(teamLabel(north, [{ id: 'main' }, { id: 'north' }])).toBe('North branch');
    expect(teamLabel({}, [{ id: 'main' }, { id: 'north' }])).toBeNull();
    const row = summary('a', { customer: { waId: '972541234567', name: 'Avraham Stern' } }, { preview: 'Hello' });
    expect(rowAccessibleName(row, { assignment: 'Unassigned', team: 'North branch', window: 'Window open', time: null, preview: 'Hello' })).toBe(
      'Avraham Stern, Unassigned, North branch, Window open, Hello',
    );
    expect(rowAccessibleName(row, { assignment: 'Unassigned', team: null, window: 'Window open', time: null, preview: 'Hello' })).toBe(
      'Avraham Stern, Unassigned, Window open, Hello',
    );
  });
});
