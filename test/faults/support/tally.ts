// Bookkeeping for bad inputs: each one tried, each one that was not refused, and what the relay's data looked like.
import type { Figures } from './figures';
import type { RelayProcess } from './relay-process';

/** Records one bad input: `refused` says whether it got the clear refusal it should have. */
export function tried(figures: Figures, what: string, refused: boolean, got: unknown = undefined): void {
  figures.badInputs += 1;
  if (refused) return;
  figures.accepted += 1;
  figures.violations.push(`bad input accepted: ${what}${got === undefined ? '' : ` → ${JSON.stringify(got).slice(0, 200)}`}`);
}

/** What the relay has stored (devices' cursors excluded: any connection may move them). */
export function relayData(relay: RelayProcess): string {
  const counts = relay.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM conversations) AS conversations,
            (SELECT count(*) FROM outbound_jobs) AS jobs, (SELECT count(*) FROM media) AS media,
            (SELECT coalesce(max(seq), 0) FROM events) AS head`,
  )[0];
  return JSON.stringify(counts);
}

/** A refusal in the protocol's shape: a `res` with ok false, or an `error` frame, with one of the expected codes. */
export function isRefusal(frame: Record<string, unknown> | null, codes: readonly string[] = ['invalid_input']): boolean {
  if (frame === null) return false;
  const error =
    frame['type'] === 'error' || (frame['type'] === 'res' && frame['ok'] === false)
      ? (frame['error'] as { code?: string; message?: string } | undefined)
      : undefined;
  return error !== undefined && codes.includes(error.code ?? '') && typeof error.message === 'string' && error.message.length > 0;
}
