// The small pieces every part of webhook parsing shares: paths, bounded strings, clamped times, and the batch being built.
import { z } from 'zod';
import type { AccountEvent, DeliveryError, InboundItem, RevisionItem, SkippedItem, StatusItem, WebhookBatch } from './webhook-types';

export type Path = readonly PropertyKey[];

/** A wamid: opaque to us, but bounded so one delivery cannot plant a huge key in the store. */
export const Wamid = z.string().min(1).max(512);

/**
 * How far into the future a timestamp may point. Phones' clocks drift and Meta stamps in whole seconds; anything
 * beyond this is not drift, and believing it would hold the customer's 24-hour window open.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

// Meta sends Unix seconds, normally as a digit string; the cap keeps milliseconds a safe integer.
const SECONDS_ERROR = 'expected Unix seconds as a digit string or a whole number';
export const UnixSecondsAsMs = z
  .union([
    z.string().regex(/^\d{1,12}$/, SECONDS_ERROR),
    z.number(SECONDS_ERROR).int(SECONDS_ERROR).nonnegative(SECONDS_ERROR).max(999_999_999_999, SECONDS_ERROR),
  ])
  .transform((seconds) => Number(seconds) * 1000);

/** A wrong-typed optional field is dropped rather than costing the customer their message. */
export const optionalString = z.string().optional().catch(undefined);

/** Never later than arrival plus the skew: see MAX_CLOCK_SKEW_MS. */
export function clampTimestamp(ms: number, now: number): number {
  return Math.min(ms, now + MAX_CLOCK_SKEW_MS);
}

/**
 * Cuts at a length in UTF-16 units (what zod's max counts) without leaving half a surrogate pair, and ends the cut
 * text with "…" so the agent sees that something is missing. The limits sit above what WhatsApp itself lets a customer
 * send; this guards the stored rows against a malformed delivery rather than trimming real messages.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  return `${last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut}…`;
}

/** `entry[0].changes[1].value.messages[2].from`: keys come from our schemas, never from the body. */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}

/** The batch as it is being read: every reader appends to it, and one bad item only ever adds to `skipped`. */
export interface BatchBuilder {
  readonly now: number;
  readonly messages: InboundItem[];
  readonly revisions: RevisionItem[];
  readonly statuses: StatusItem[];
  readonly accountEvents: AccountEvent[];
  readonly errors: DeliveryError[];
  readonly skipped: SkippedItem[];
}

export function newBatch(now: number): BatchBuilder {
  return { now, messages: [], revisions: [], statuses: [], accountEvents: [], errors: [], skipped: [] };
}

export function finish(batch: BatchBuilder): WebhookBatch {
  const { messages, revisions, statuses, accountEvents, errors, skipped } = batch;
  return { messages, revisions, statuses, accountEvents, errors, skipped };
}

export function skip(batch: BatchBuilder, path: Path, reason: string): void {
  batch.skipped.push({ path: formatPath(path), reason });
}

/** Only the first problem is reported: enough for IT to find it, and zod messages never echo input. */
export function skipInvalid(batch: BatchBuilder, prefix: Path, error: z.ZodError): void {
  const issue = error.issues[0];
  skip(batch, [...prefix, ...(issue?.path ?? [])], issue?.message ?? 'malformed');
}
