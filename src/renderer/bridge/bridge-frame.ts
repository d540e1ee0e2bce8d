// What the web preview's server sends over the bridge socket, as a schema: a frame is parsed before it is trusted.
// The preview server (src/main/core/preview) writes these frames; the payloads inside are the contract's to check.
import { z } from 'zod';
import { isConsoleEvent, type ConsoleEvent } from '../../shared/contract';
import { ERROR_CODES } from '../../shared/errors';

const WireFailure = z.object({
  // A code this renderer does not know still fails the call, as the generic error rather than a hang.
  code: z.enum(ERROR_CODES).catch('internal'),
  message: z.string(),
});

const WireResultSchema = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: WireFailure })]);

const UNREADABLE = { ok: false as const, error: { code: 'internal' as const, message: 'the console service sent an answer this window cannot read' } };

// An answer with a known id but a broken result still settles its call (as a failure) instead of leaving it hanging.
const ResultFrame = z.object({ type: z.literal('result'), id: z.number().int(), result: WireResultSchema.catch(UNREADABLE) });
const EventFrame = z.object({
  type: z.literal('event'),
  event: z.string().refine((name): name is ConsoleEvent => isConsoleEvent(name)),
  payload: z.unknown(),
});

export const BridgeFrame = z.discriminatedUnion('type', [ResultFrame, EventFrame]);
export type BridgeFrame = z.infer<typeof BridgeFrame>;

/** The frame in a socket message, or null when it is not JSON or not a frame this bridge knows. */
export function parseBridgeFrame(text: string): BridgeFrame | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = BridgeFrame.safeParse(json);
  return parsed.success ? parsed.data : null;
}
