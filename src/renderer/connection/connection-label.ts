// What the status bar says for a connection state: a pure mapping, table-tested.
import type { ConnectionDetail, ConnectionState } from '../../shared/contract';
import { strings } from '../ui/strings';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'error';

export interface StatusView {
  tone: StatusTone;
  /** A glyph beside the words, so the state does not rest on colour alone. */
  icon: string;
  /** One line: "Offline · 3 queued". Announced by screen readers whenever it changes, so it holds no countdown. */
  text: string;
  /** "next attempt in 4 s": shown beside the status, outside the live region, so it is not announced every second. */
  countdown: string | null;
  /** A second sentence when there is something the agent or IT can do. */
  detail: string | null;
  /** "For IT: ECONNREFUSED": the technical code behind the detail, shown apart from the sentence, never as it. */
  technical: string | null;
  canRetryNow: boolean;
  needsSignIn: boolean;
}

const s = strings.status;

/** The agent's sentence for a detail code; null for a code this renderer does not know (a newer core). */
export function detailText(detail: ConnectionDetail): string | null {
  if (!Object.hasOwn(s.details, detail.code)) return null;
  const words = s.details[detail.code];
  if (typeof words === 'string') return words;
  const seconds = detail.params['seconds'];
  return words(typeof seconds === 'number' && Number.isFinite(seconds) ? Math.round(seconds) : null);
}

/** The technical side of a detail, for IT: the failing call's code, an HTTP status, a close code. */
export function technicalHint(detail: ConnectionDetail): string | null {
  const { error, httpStatus, closeCode, expected, host } = detail.params;
  const parts = [
    httpStatus === undefined ? null : s.httpStatus(httpStatus),
    closeCode === undefined ? null : s.closeCode(closeCode),
    error === undefined || error === '' ? null : String(error),
    expected === undefined || expected === '' ? null : s.pinExpected(expected),
    host === undefined || host === '' ? null : s.relayHost(host),
  ].filter((part) => part !== null);
  return parts.length === 0 ? null : s.forIt(parts.join(', '));
}

const TLS_CODES: ReadonlySet<string> = new Set(['tls_untrusted', 'tls_expired', 'tls_wrong_host', 'tls_handshake', 'tls_pin_mismatch']);

/** What to say about why the link is down: a TLS problem always reads as one (IT must act), whatever the code. */
function explain(state: ConnectionState): { detail: string | null; technical: string | null; tls: string | null } {
  const coded = state.detail === null ? null : detailText(state.detail);
  const technical = state.detail === null || coded === null ? null : technicalHint(state.detail);
  if (!state.tlsProblem) return { detail: coded, technical, tls: null };
  const tls = state.detail !== null && TLS_CODES.has(state.detail.code) && coded !== null ? coded : s.tlsProblem;
  return { detail: tls, technical, tls };
}

/** `nowMs` drives the "next attempt in N s" countdown. */
export function describeConnection(state: ConnectionState | null, nowMs: number): StatusView {
  if (state === null)
    return { tone: 'busy', icon: '…', text: s.starting, countdown: null, detail: null, technical: null, canRetryNow: false, needsSignIn: false };
  const queued = state.queued > 0 ? ` · ${s.queued(state.queued)}` : '';
  const { detail, technical, tls } = explain(state);
  switch (state.status) {
    case 'live':
      return { tone: 'ok', icon: '●', text: `${s.live}${queued}`, countdown: null, detail: null, technical: null, canRetryNow: false, needsSignIn: false };
    case 'polling':
      return {
        tone: 'warn',
        icon: '⇄',
        text: `${s.polling}${queued}`,
        countdown: null,
        detail: s.pollingDetail,
        technical: null,
        canRetryNow: false,
        needsSignIn: false,
      };
    case 'connecting':
      return {
        tone: 'busy',
        icon: '↻',
        text: `${s.connecting}${queued}`,
        countdown: null,
        detail: tls,
        technical: tls === null ? null : technical,
        canRetryNow: false,
        needsSignIn: false,
      };
    case 'reconnecting': {
      const wait = state.nextAttemptAt === null ? null : Math.max(0, Math.ceil((state.nextAttemptAt - nowMs) / 1000));
      const when = wait === null || wait === 0 ? s.retryingNow : s.nextAttemptIn(wait);
      return { tone: 'warn', icon: '↻', text: `${s.reconnecting}${queued}`, countdown: `(${when})`, detail, technical, canRetryNow: true, needsSignIn: false };
    }
    case 'offline':
      return {
        tone: 'error',
        icon: '✕',
        text: `${s.offline}${queued}`,
        countdown: null,
        detail: detail ?? s.offlineDetail,
        technical,
        canRetryNow: true,
        needsSignIn: false,
      };
    case 'credentials_needed':
      return {
        tone: 'error',
        icon: '⚠',
        text: `${s.credentialsNeeded}${queued}`,
        countdown: null,
        detail: s.credentialsDetail,
        technical: null,
        canRetryNow: false,
        needsSignIn: true,
      };
    case 'signed_out':
      return { tone: 'busy', icon: '○', text: s.signedOut, countdown: null, detail: null, technical: null, canRetryNow: false, needsSignIn: false };
  }
}

/** The first-sync progress as a fraction 0…1, or null when no sync is running. */
export function syncFraction(progress: { phase: 'idle' | 'syncing'; done: number; total: number } | null): number | null {
  if (progress === null || progress.phase !== 'syncing') return null;
  return progress.total === 0 ? 0 : Math.min(1, progress.done / progress.total);
}
