// The web preview's bridge socket, both ways, as schemas: each side parses a frame before it trusts it.
// The browser shim (src/renderer/bridge) sends calls and reads results and events; the preview server
// (src/main/core/preview) does the reverse. The payloads inside are the contract's to check.
import { z } from 'zod';
import { isConsoleEvent, type ConsoleEvent } from './contract';
import { ERROR_CODES } from './errors';

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

/** A call from the browser: the method and input are checked by the console service itself. */
export const CallFrame = z.object({ type: z.literal('call'), id: z.number().int(), method: z.unknown(), input: z.unknown() });
export type CallFrame = z.infer<typeof CallFrame>;

function parseJsonFrame<T>(schema: z.ZodType<T>, text: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The frame in a socket message from the server, or null when it is not JSON or not a frame this bridge knows. */
export function parseBridgeFrame(text: string): BridgeFrame | null {
  return parseJsonFrame(BridgeFrame, text);
}

/** The call in a socket message from the browser, or null. */
export function parseCallFrame(text: string): CallFrame | null {
  return parseJsonFrame(CallFrame, text);
}
