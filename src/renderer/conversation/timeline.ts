// The rows the message list shows: one per message, with reactions folded onto their targets and a day
// separator on the first message of each day (inside the row, so keys stay message ids and prepends do not jump).
import type { Message } from '../../shared/domain';
import { dayKey } from '../ui/format';

export interface Reaction {
  emoji: string;
  direction: 'in' | 'out';
}

export interface TimelineRow {
  key: string;
  message: Message;
  /** The first message of its day: the row shows the day above the bubble. */
  startsDay: boolean;
  reactions: Reaction[];
}

/**
 * `order` is oldest first. A reaction whose target is loaded is shown on the target (the latest reaction
 * from each side wins, an empty emoji removes it); one whose target is not loaded stays a row of its own.
 */
export function buildTimeline(order: readonly string[], byId: Readonly<Record<string, Message>>): TimelineRow[] {
  const reactions = new Map<string, Map<'in' | 'out', string>>();
  const folded = new Set<string>();
  for (const id of order) {
    const message = byId[id];
    if (message?.content.type !== 'reaction') continue;
    const target = message.content.targetMessageId;
    if (target === null || byId[target] === undefined) continue;
    folded.add(id);
    const bySide = reactions.get(target) ?? new Map<'in' | 'out', string>();
    bySide.set(message.direction, message.content.emoji);
    reactions.set(target, bySide);
  }

  const rows: TimelineRow[] = [];
  let lastDay: string | null = null;
  for (const id of order) {
    const message = byId[id];
    if (message === undefined || folded.has(id)) continue;
    const day = dayKey(message.createdAt);
    const shown: Reaction[] = [];
    for (const [direction, emoji] of reactions.get(id) ?? []) if (emoji !== '') shown.push({ emoji, direction });
    rows.push({ key: id, message, startsDay: day !== lastDay, reactions: shown });
    lastDay = day;
  }
  return rows;
}

/**
 * Reuses the previous row object when nothing it shows changed, so memoised rows skip re-rendering when
 * one message among many changes (a status tick re-renders one bubble, not the screen).
 */
export function reuseRows(next: readonly TimelineRow[], previous: ReadonlyMap<string, TimelineRow>): TimelineRow[] {
  return next.map((row) => {
    const old = previous.get(row.key);
    const same =
      old !== undefined &&
      old.message === row.message &&
      old.startsDay === row.startsDay &&
      old.reactions.length === row.reactions.length &&
      old.reactions.every((r, i) => r.emoji === row.reactions[i]?.emoji && r.direction === row.reactions[i]?.direction);
    return same ? old : row;
  });
}
