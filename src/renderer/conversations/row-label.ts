// What a conversation row says: its accessible name starts with the customer's name, then the state an agent scans for.
import type { ConversationSummary, Directory } from '../../shared/contract';
import type { Conversation } from '../../shared/domain';
import { isWindowOpen } from '../../shared/service-window';
import { customerLabel } from '../ui/customer-label';
import { assigneeName, senderOf } from '../ui/people';
import { strings } from '../ui/strings';

const l = strings.list;

export function customerName(summary: Pick<ConversationSummary, 'conversation'>): string {
  return customerLabel(summary.conversation).name;
}

/** Mine, Unassigned, or the colleague's name (never an id). */
export function assignmentLabel(conversation: Pick<Conversation, 'assignedAgentId' | 'assignedAgent'>, me: string | null, directory: Directory | null): string {
  if (conversation.assignedAgentId === null) return l.unassigned;
  return conversation.assignedAgentId === me ? l.mine : l.assignedTo(assigneeName(conversation, directory) ?? '');
}

/**
 * The conversation's team, shown only to an agent of several teams (a supervisor of two branches must see whose
 * customer this is); an agent of one team sees only that team's conversations, so the tag would say nothing.
 */
export function teamLabel(conversation: Pick<Conversation, 'team'>, myTeams: readonly { id: string }[]): string | null {
  if (myTeams.length < 2 || conversation.team === undefined) return null;
  return conversation.team.name;
}

export function windowLabel(lastInboundAt: number | null, nowMs: number): { open: boolean; text: string } {
  if (lastInboundAt === null) return { open: false, text: l.windowNever };
  return isWindowOpen(lastInboundAt, nowMs) ? { open: true, text: l.windowOpen } : { open: false, text: l.windowClosed };
}

/** The line under the name: the draft if there is one, else the last message ("You: …" for ours, "Dana Levi: …" for a colleague's). */
export function previewLine(
  summary: ConversationSummary,
  localDraft: string | undefined,
  me: string | null = null,
  directory: Directory | null = null,
): { text: string; draft: boolean } {
  // The local draft is the truth once this console has loaded or typed it; before that, the service's flag.
  if (localDraft !== undefined ? localDraft.trim() !== '' : summary.hasDraft) {
    return { text: localDraft === undefined ? l.draftSaved : l.draft(localDraft.replace(/\s+/g, ' ').trim().slice(0, 120)), draft: true };
  }
  if (summary.preview === null) return { text: l.noMessages, draft: false };
  if (summary.previewDirection !== 'out') return { text: summary.preview, draft: false };
  const sender = senderOf({ senderAgentId: summary.previewSender?.id ?? null, sender: summary.previewSender ?? null }, me, directory);
  return { text: sender.mine ? l.you(summary.preview) : l.by(sender.name, summary.preview), draft: false };
}

export function rowAccessibleName(
  summary: ConversationSummary,
  parts: { assignment: string; team?: string | null; window: string; time: string | null; preview: string },
): string {
  const unread = summary.unread > 0 ? `${l.unread(summary.unread)}, ` : '';
  const team = parts.team === undefined || parts.team === null ? '' : `${parts.team}, `;
  const time = parts.time === null ? '' : `${parts.time}: `;
  return `${customerName(summary)}, ${unread}${parts.assignment}, ${team}${parts.window}, ${time}${parts.preview}`;
}
