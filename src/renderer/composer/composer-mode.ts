// Whether the composer offers free text or only templates: WhatsApp's 24-hour window, decided purely.
import type { Conversation } from '../../shared/domain';
import { isWindowOpen, windowExpiresAt } from '../../shared/service-window';

export type ComposerMode = { kind: 'free'; closesAt: number | null } | { kind: 'template'; reason: 'closed' | 'never_wrote' };

export function composerMode(conversation: Pick<Conversation, 'lastInboundAt'>, nowMs: number): ComposerMode {
  if (isWindowOpen(conversation.lastInboundAt, nowMs)) return { kind: 'free', closesAt: windowExpiresAt(conversation.lastInboundAt) };
  return { kind: 'template', reason: conversation.lastInboundAt === null ? 'never_wrote' : 'closed' };
}

/** Milliseconds until the mode can change on its own (the window closing), for a timer; null if never. */
export function msUntilModeChange(mode: ComposerMode, nowMs: number): number | null {
  return mode.kind === 'free' && mode.closesAt !== null ? Math.max(0, mode.closesAt - nowMs) : null;
}
