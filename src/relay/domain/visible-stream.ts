// A device's gap-free stream from the events its agent may see: the seqs between them become one `events.skipped` (v2)
// or one placeholder per seq (v1), so the stream resumes and acks exactly as before without saying what was left out.
import type { RelayEvent } from '../../shared/protocol-events';
import { v1Placeholder } from './v1-encoding';

/** An event as the log stores it (JSON, sent as it is). */
export interface LoggedEvent {
  readonly seq: number;
  readonly json: string;
}

/**
 * What the store read for one device after a seq: the events of its audience, ascending, and the seq up to which that
 * answer is complete (every seq up to it that is not among `events` is one the device may not see). A store that read
 * its limit answers the last event's seq; otherwise the head it read first, so a commit landing meanwhile is never
 * skipped.
 */
export interface AudienceSlice {
  readonly events: readonly LoggedEvent[];
  readonly throughSeq: number;
}

/** One entry of the device's stream: an event it may see, or the filler standing for seqs it may not. */
export interface StreamEntry extends LoggedEvent {
  readonly filler: boolean;
}

/** How the seqs from..to (inclusive) a device may not see are written, in at most `room` entries (at least one). */
export type GapWriter = (fromSeq: number, toSeq: number, room: number) => StreamEntry[];

/** v2: one `events.skipped` at the gap's last seq. */
export const skippedGap: GapWriter = (fromSeq, toSeq) => {
  const event: RelayEvent = { kind: 'events.skipped', fromSeq };
  return [{ seq: toSeq, json: JSON.stringify(event), filler: true }];
};

/** v1: a placeholder per seq (v1 has no way to say "nothing here" for a range), as many as the room allows. */
export const placeholderGap: GapWriter = (fromSeq, toSeq, room) => {
  const entries: StreamEntry[] = [];
  for (let seq = fromSeq; seq <= toSeq && entries.length < room; seq++) entries.push({ seq, json: JSON.stringify(v1Placeholder(seq)), filler: true });
  return entries;
};

/**
 * The next at most `limit` entries after `afterSeq`: consecutive seqs from `afterSeq + 1`, ending at the last event
 * that fit or at `throughSeq`. Events at or before `afterSeq`, or past `throughSeq`, are ignored (never sent twice).
 */
export function streamEntries(afterSeq: number, slice: AudienceSlice, limit: number, writeGap: GapWriter): StreamEntry[] {
  const entries: StreamEntry[] = [];
  let next = afterSeq + 1;
  const fill = (toSeq: number) => {
    if (toSeq < next || entries.length >= limit) return;
    const gap = writeGap(next, toSeq, limit - entries.length);
    entries.push(...gap);
    next = gap.at(-1)!.seq + 1;
  };
  for (const event of slice.events) {
    if (event.seq < next || event.seq > slice.throughSeq) continue;
    fill(event.seq - 1);
    if (entries.length >= limit || next !== event.seq) return entries;
    entries.push({ seq: event.seq, json: event.json, filler: false });
    next = event.seq + 1;
  }
  fill(slice.throughSeq);
  return entries;
}

/** What decides where a device's stream starts. */
export interface StartFacts {
  /** The device's last committed seq; null for a device with nothing. */
  readonly since: number | null;
  readonly head: number;
  readonly oldest: number;
  /** The agent's access_version now, and when this device last caught up (null: never, or before need-to-know). */
  readonly accessVersion: number;
  readonly deviceAccessVersion: number | null;
}

export interface StartingPoint {
  readonly mode: 'resume' | 'resync';
  /** The seq the stream continues after: `since` on a resume, `head` on a resync. */
  readonly cursor: number;
  /**
   * When to remember that this device works under the current access: at once, once it has caught up (acked the
   * hello's head: its cache was rebuilt under this access, so a resync cut short is asked for again), or not at all.
   */
  readonly recordAccess: 'now' | 'on_catch_up' | 'no';
}

/**
 * Resume only when every event after `since` is still kept, nothing is ahead of head (the relay lost data), and the
 * agent's teams and role are those the device's cache was built under: otherwise the device rebuilds from what the
 * agent may see now.
 */
export function startingPoint(f: StartFacts): StartingPoint {
  const accessChanged = f.deviceAccessVersion !== null && f.deviceAccessVersion !== f.accessVersion;
  const canResume = !accessChanged && f.since !== null && f.since + 1 >= f.oldest && f.since <= f.head;
  const known = f.deviceAccessVersion === f.accessVersion;
  return {
    mode: canResume ? 'resume' : 'resync',
    cursor: canResume && f.since !== null ? f.since : f.head,
    recordAccess: known ? 'no' : canResume ? 'now' : 'on_catch_up',
  };
}
