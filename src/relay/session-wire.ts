// How a session's frames are written: the hello of its version, event batches within the frame budget, refusals.
import { z } from 'zod';
import type { AppError } from '../shared/errors';
import type { HelloFrame, ProtocolVersion, WireError } from '../shared/protocol';
import type { HelloFrameV1 } from '../shared/protocol-v1';
import type { StoredEvent } from './store/relay-store';

/** Everything in a hello but its version, which the session's protocol decides. */
export type HelloFields = Omit<HelloFrame, 'type' | 'protocol'>;

/** v1 and v2 hellos have the same fields; a v1 console refuses a hello that does not say 1. */
export function helloFrame(protocol: ProtocolVersion, fields: HelloFields): HelloFrame | HelloFrameV1 {
  return protocol === 1 ? { type: 'hello', protocol: 1, ...fields } : { type: 'hello', protocol: 2, ...fields };
}

/**
 * As many of these consecutive events as fit in one frame (always at least one). Stored JSON goes out as it is: no
 * parse and re-serialise per event.
 */
export function eventsFrame(events: readonly StoredEvent[], maxFrameBytes: number): { text: string; lastSeq: number } {
  let frame = '{"type":"events","events":[';
  let budget = maxFrameBytes - 64;
  let count = 0;
  for (const e of events) {
    const item = `{"seq":${e.seq},"event":${e.json}}`;
    if (count > 0 && item.length + 1 > budget) break;
    frame += (count > 0 ? ',' : '') + item;
    budget -= item.length + 1;
    count += 1;
  }
  return { text: `${frame}]}`, lastSeq: events[count - 1]!.seq };
}

/** Just enough of a request frame to answer it: the rest of it was what failed. */
const RequestId = z.looseObject({ type: z.literal('req'), id: z.string().min(1).max(64) });

/** The id of a malformed request frame, when it has a usable one. */
export function requestIdOf(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = RequestId.safeParse(value);
  return parsed.success ? parsed.data.id : null;
}

export function toWire(error: AppError): WireError {
  return { code: error.code, message: error.message, retryable: error.retryable };
}
