// Fault injection for the fake Graph API: the next N sends fail in a chosen way.
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/errors';

export const FAULT_MODES = ['none', 'error500', 'throttle', 'hang', 'accept_then_hang'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface GraphFault {
  readonly mode: FaultMode;
  /** Sends still to be affected. */
  readonly count: number;
}

export const NO_FAULT: GraphFault = { mode: 'none', count: 0 };
const MAX_COUNT = 1_000_000;

const FaultBody = z.object({ graph: z.object({ mode: z.unknown().optional(), count: z.unknown().optional() }) });
const Mode = z.enum(FAULT_MODES);
const Count = z.number().int().min(1).max(MAX_COUNT);

/** Parses POST /sandbox/faults: {"graph": {"mode": …, "count": N}} (count defaults to 1). */
export function parseFaultRequest(body: unknown): Result<GraphFault> {
  const parsed = FaultBody.safeParse(body);
  if (!parsed.success) return fail('invalid_input', 'expected {"graph": {"mode": …, "count": N}}');
  const mode = Mode.safeParse(parsed.data.graph.mode);
  if (!mode.success) return fail('invalid_input', `"graph.mode" must be one of ${FAULT_MODES.join(', ')}`);
  if (mode.data === 'none') return ok(NO_FAULT);
  const count = Count.safeParse(parsed.data.graph.count ?? 1);
  if (!count.success) return fail('invalid_input', `"graph.count" must be a whole number from 1 to ${MAX_COUNT}`);
  return ok({ mode: mode.data, count: count.data });
}

/** The fault for the send being handled now, and what remains for the following ones. */
export function takeFault(current: GraphFault): { now: FaultMode; next: GraphFault } {
  if (current.mode === 'none' || current.count <= 0) return { now: 'none', next: NO_FAULT };
  const count = current.count - 1;
  return { now: current.mode, next: count === 0 ? NO_FAULT : { mode: current.mode, count } };
}
