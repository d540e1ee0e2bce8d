// Fault injection for the fake Graph API: the next N sends fail in a chosen way.

export const FAULT_MODES = ['none', 'error500', 'throttle', 'hang', 'accept_then_hang'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface GraphFault {
  readonly mode: FaultMode;
  /** Sends still to be affected. */
  readonly count: number;
}

export const NO_FAULT: GraphFault = { mode: 'none', count: 0 };
const MAX_COUNT = 1_000_000;

/** Parses POST /sandbox/faults: {"graph": {"mode": …, "count": N}} (count defaults to 1). */
export function parseFaultRequest(body: unknown): { ok: true; value: GraphFault } | { ok: false; message: string } {
  const graph = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['graph'] : undefined;
  if (typeof graph !== 'object' || graph === null) return { ok: false, message: 'expected {"graph": {"mode": …, "count": N}}' };
  const { mode, count } = graph as Record<string, unknown>;
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
    return { ok: false, message: `"graph.mode" must be one of ${FAULT_MODES.join(', ')}` };
  }
  if (mode === 'none') return { ok: true, value: NO_FAULT };
  const n = count ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_COUNT) {
    return { ok: false, message: `"graph.count" must be a whole number from 1 to ${MAX_COUNT}` };
  }
  return { ok: true, value: { mode: mode as FaultMode, count: n } };
}

/** The fault for the send being handled now, and what remains for the following ones. */
export function takeFault(current: GraphFault): { now: FaultMode; next: GraphFault } {
  if (current.mode === 'none' || current.count <= 0) return { now: 'none', next: NO_FAULT };
  const count = current.count - 1;
  return { now: current.mode, next: count === 0 ? NO_FAULT : { mode: current.mode, count } };
}
