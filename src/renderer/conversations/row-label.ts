// What a conversation row says: its accessible name starts with the customer's name, then the state an agent scans for.
import type { ConversationSummary } from '../../shared/contract';
import { isWindowOpen } from '../../shared/service-window';
import { customerLabel } from '../ui/customer-label';
import { strings } from '../ui/strings';

const l = strings.list;

export function customerName(summary: Pick<ConversationSummary, 'conversation'>): string {
  return customerLabel(summary.conversation).name;
}

export function assignmentLabel(assignedAgentId: string | null, me: string | null): string {
  if (assignedAgentId === null) return l.unassigned;
  return assignedAgentId === me ? l.mine : l.assignedTo(assignedAgentId);
}

export function windowLabel(lastInboundAt: number | null, nowMs: number): { open: boolean; text: string } {
  if (lastInboundAt === null) return { open: false, text: l.windowNever };
  return isWindowOpen(lastInboundAt, nowMs) ? { open: true, text: l.windowOpen } : { open: false, text: l.windowClosed };
}

/** The line under the name: the draft if there is one, else the last message ("You: …" for ours). */
export function previewLine(summary: ConversationSummary, localDraft: string | undefined): { text: string; draft: boolean } {
  // The local draft is the truth once this console has loaded or typed it; before that, the service's flag.
  if (localDraft !== undefined ? localDraft.trim() !== '' : summary.hasDraft) {
    return { text: localDraft === undefined ? l.draftSaved : l.draft(localDraft.replace(/\s+/g, ' ').trim().slice(0, 120)), draft: true };
  }
  if (summary.preview === null) return { text: l.noMessages, draft: false };
  return { text: summary.previewDirection === 'out' ? l.you(summary.preview) : summary.preview, draft: false };
}

export function rowAccessibleName(summary: ConversationSummary, parts: { assignment: string; window: string; time: string | null; preview: string }): string {
  const unread = summary.unread > 0 ? `${l.unread(summary.unread)}, ` : '';
  const time = parts.time === null ? '' : `${parts.time}: `;
  return `${customerName(summary)}, ${unread}${parts.assignment}, ${parts.window}, ${time}${parts.preview}`;
}
