// The invariants, checked against what really happened: the sandbox ledger, the console's cache, the logs.
import type { Figures } from './figures';
import { ledgerOf } from './relay-process';
import type { ConsoleRecord } from './console-process';

/** Every message the agent sent reached fake WhatsApp exactly once, in per-customer order. */
export async function checkOutbound(relayUrl: string, expected: ReadonlyMap<string, readonly string[]>, figures: Figures): Promise<void> {
  for (const [to, bodies] of expected) {
    const received = (await ledgerOf(relayUrl, to)).map((m) => m.text ?? '');
    figures.sent += bodies.length;
    const position = new Map(bodies.map((b, i) => [b, i]));
    const seen = new Map<string, number>();
    let highest = -1;
    for (const text of received) {
      const at = position.get(text);
      if (at === undefined) continue; // another scenario's text (none are shared) or a customer reply
      seen.set(text, (seen.get(text) ?? 0) + 1);
      if (seen.get(text)! > 1) continue;
      if (at < highest) {
        figures.outOfOrder += 1;
        figures.violations.push(`out of order: to …${to.slice(-3)}, "${text}" after a later message`);
      }
      highest = Math.max(highest, at);
    }
    for (const body of bodies) {
      const n = seen.get(body) ?? 0;
      if (n === 0) {
        figures.lost += 1;
        if (figures.lost <= 5) figures.violations.push(`lost: "${body}" never reached WhatsApp`);
      } else if (n > 1) {
        figures.duplicated += n - 1;
        if (figures.duplicated <= 5) figures.violations.push(`duplicated: "${body}" reached WhatsApp ${n} times`);
      }
    }
  }
}

/** Every inbound message the relay acknowledged is in the console exactly once. */
export function checkInbound(record: ConsoleRecord, expectedBodies: readonly string[], figures: Figures): void {
  figures.inbound += expectedBodies.length;
  const counts = new Map<string, number>();
  for (const m of record.inbound) if (m.body !== null) counts.set(m.body, (counts.get(m.body) ?? 0) + 1);
  for (const body of expectedBodies) {
    const n = counts.get(body) ?? 0;
    if (n === 0) {
      figures.inboundMissing += 1;
      if (figures.inboundMissing <= 5) figures.violations.push(`inbound missing: "${body}" is not in the console`);
    } else if (n > 1) {
      figures.inboundDuplicated += n - 1;
      if (figures.inboundDuplicated <= 5) figures.violations.push(`inbound duplicated: "${body}" is in the console ${n} times`);
    }
  }
}

/** Every message the agent sent ended in `status` in the console (the customer's phone reads what it receives). */
export function checkStatuses(record: ConsoleRecord, bodies: Iterable<string>, status: string, figures: Figures): void {
  const byBody = new Map(record.outbound.map((m) => [m.body, m.status]));
  for (const body of bodies) {
    const actual = byBody.get(body);
    if (actual !== status) {
      figures.statusWrong += 1;
      if (figures.statusWrong <= 5) figures.violations.push(`wrong final status: "${body}" is ${actual ?? 'absent'}, expected ${status}`);
    }
  }
}

/** Counts log lines that carry any of the secrets (tokens, the app secret, message bodies, raw phone numbers). */
export function scanLogs(lines: readonly string[], secrets: readonly string[], figures: Figures, where: string): void {
  const needles = secrets.filter((s) => s.length >= 6);
  for (const line of lines) {
    const found = needles.find((s) => line.includes(s));
    if (found === undefined) continue;
    figures.leaks += 1;
    if (figures.leaks <= 3) figures.violations.push(`log leaks: ${where} logged a secret or a message body (${found.slice(0, 4)}…)`);
  }
}

export function allBodies(expected: ReadonlyMap<string, readonly string[]>): string[] {
  return [...expected.values()].flat();
}
