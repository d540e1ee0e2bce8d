// Strings of need-to-know: who holds a conversation, taking over, releasing, transferring, queued work by its author,
// and the calm notices when a conversation was taken over or left this agent's teams.

export const teamStrings = {
  you: 'You',
  colleague: 'A colleague',
  anotherAgent: 'another agent',
  roles: { agent: 'Agent', supervisor: 'Supervisor', admin: 'Admin' },
  /** The header: who is signed in, their teams and role. */
  signedInAs: (name: string, teams: string, role: string) => `Signed in as ${name}${teams === '' ? '' : ` · ${teams}`} · ${role}`,
  teamLabel: 'Team',
  noTeam: 'No team',

  assignedToColleague: (name: string) => `Assigned to ${name}`,
  readOnly: (name: string) => `Assigned to ${name}. Only they or a supervisor can reply, link a case or mark it read.`,
  takeOver: 'Take over…',
  takeOverTitle: 'Take over this conversation?',
  takeOverBody: (name: string, customer: string) =>
    `${name} is handling the conversation with ${customer}. If you take it over, it becomes yours: ${name} can no longer reply in it and is told that you took it over. Taking over is recorded.`,
  takeOverConfirm: 'Take over',
  release: 'Release to the team',
  transfer: 'Transfer to another team…',
  transferTitle: 'Transfer to another team',
  transferBody: (customer: string, team: string | null) =>
    `The conversation with ${customer} leaves ${team ?? 'its team'}: that team's agents no longer see it, the new team's agents get it with its history.`,
  transferChoose: 'New team',
  transferConfirm: 'Transfer',
  transferNoTeams: 'There is no other team to transfer it to.',
  loadingTeams: 'Loading teams…',
  cancel: 'Cancel',

  queuedBy: (name: string) => `Queued by ${name} · not sent`,
  queuedByHint: (name: string) => `It is sent when ${name} signs in on this computer again. Anyone can discard it.`,

  notices: {
    region: 'Notices about your conversations',
    takenOver: (by: string, customer: string) => `${by} took over your conversation with ${customer}.`,
    takenOverHere: (by: string) => `${by} took over this conversation.`,
    left: (customer: string) => `The conversation with ${customer} is no longer yours to see: it moved to another team, or your access changed.`,
    transferred: (customer: string, team: string) => `The conversation with ${customer} now belongs to ${team}.`,
    open: 'Open',
    dismiss: 'Dismiss',
  },
} as const;
