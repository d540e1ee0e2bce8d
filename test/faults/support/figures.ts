// What one fault or bad-input scenario tried and what it found: the numbers its summary line prints.

export interface Figures {
  /** Faults injected: kills, restarts, link faults, Graph API faults, disk faults, clock jumps. */
  faults: number;
  /** Messages the agent sent (committed to the console's outbox). */
  sent: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Inbound messages customers sent (deliveries the relay acknowledged). */
  inbound: number;
  inboundMissing: number;
  inboundDuplicated: number;
  /** Messages whose final status is not the expected one. */
  statusWrong: number;
  /** Bad inputs tried, and how many of them were taken (stored, or answered as if valid). */
  badInputs: number;
  accepted: number;
  /** Log lines carrying a token, secret, message body or raw phone number. */
  leaks: number;
  /** Facts worth printing (restarts, slowest recovery …). */
  notes: string[];
  /** Every broken promise, in words. Empty when the scenario passed. */
  violations: string[];
}

export function emptyFigures(): Figures {
  return {
    faults: 0,
    sent: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    inbound: 0,
    inboundMissing: 0,
    inboundDuplicated: 0,
    statusWrong: 0,
    badInputs: 0,
    accepted: 0,
    leaks: 0,
    notes: [],
    violations: [],
  };
}

const COUNTS = [
  'faults',
  'sent',
  'lost',
  'duplicated',
  'outOfOrder',
  'inbound',
  'inboundMissing',
  'inboundDuplicated',
  'statusWrong',
  'badInputs',
  'accepted',
  'leaks',
] as const;

export function addFigures(a: Figures, b: Figures): Figures {
  const sum = emptyFigures();
  for (const key of COUNTS) sum[key] = a[key] + b[key];
  sum.notes = [...a.notes, ...b.notes];
  sum.violations = [...a.violations, ...b.violations];
  return sum;
}

/** Every count that must be zero, plus the violations written out. */
export function problems(f: Figures): string[] {
  const out = [...f.violations];
  const mustBeZero = {
    lost: f.lost,
    duplicated: f.duplicated,
    'out of order': f.outOfOrder,
    'inbound missing': f.inboundMissing,
    'inbound duplicated': f.inboundDuplicated,
    'wrong final status': f.statusWrong,
    'bad inputs accepted': f.accepted,
    'log leaks': f.leaks,
  };
  for (const [what, n] of Object.entries(mustBeZero)) if (n > 0 && !out.some((v) => v.startsWith(`${what}:`))) out.push(`${what}: ${n}`);
  return out;
}

export function summaryLine(name: string, f: Figures, ms: number | null): string {
  const parts = [
    `faults injected: ${f.faults}`,
    `messages sent: ${f.sent}`,
    `lost: ${f.lost}`,
    `duplicated: ${f.duplicated}`,
    `out of order: ${f.outOfOrder}`,
    `inbound: ${f.inbound} (missing ${f.inboundMissing}, doubled ${f.inboundDuplicated})`,
    `wrong final status: ${f.statusWrong}`,
    `bad inputs tried: ${f.badInputs}`,
    `accepted: ${f.accepted}`,
    `log leaks: ${f.leaks}`,
  ];
  return `${name}: ${parts.join('; ')}${ms === null ? '' : ` — ${(ms / 1000).toFixed(1)} s`}`;
}
