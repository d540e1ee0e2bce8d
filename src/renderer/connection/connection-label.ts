// What the status bar says for a connection state: a pure mapping, table-tested.
import type { ConnectionState } from '../../shared/contract';
import { strings } from '../app/strings';

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
  canRetryNow: boolean;
  needsSignIn: boolean;
}

const s = strings.status;

/** `nowMs` drives the "next attempt in N s" countdown. */
export function describeConnection(state: ConnectionState | null, nowMs: number): StatusView {
  if (state === null) return { tone: 'busy', icon: '…', text: s.starting, countdown: null, detail: null, canRetryNow: false, needsSignIn: false };
  const queued = state.queued > 0 ? ` · ${s.queued(state.queued)}` : '';
  const tls = state.tlsProblem ? s.tlsProblem : null;
  const detail = tls ?? state.detail;
  switch (state.status) {
    case 'live':
      return { tone: 'ok', icon: '●', text: `${s.live}${queued}`, countdown: null, detail: null, canRetryNow: false, needsSignIn: false };
    case 'polling':
      return { tone: 'warn', icon: '⇄', text: `${s.polling}${queued}`, countdown: null, detail: s.pollingDetail, canRetryNow: false, needsSignIn: false };
    case 'connecting':
      return { tone: 'busy', icon: '↻', text: `${s.connecting}${queued}`, countdown: null, detail: tls, canRetryNow: false, needsSignIn: false };
    case 'reconnecting': {
      const wait = state.nextAttemptAt === null ? null : Math.max(0, Math.ceil((state.nextAttemptAt - nowMs) / 1000));
      const when = wait === null || wait === 0 ? s.retryingNow : s.nextAttemptIn(wait);
      return { tone: 'warn', icon: '↻', text: `${s.reconnecting}${queued}`, countdown: `(${when})`, detail, canRetryNow: true, needsSignIn: false };
    }
    case 'offline':
      return {
        tone: 'error',
        icon: '✕',
        text: `${s.offline}${queued}`,
        countdown: null,
        detail: detail ?? s.offlineDetail,
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
        canRetryNow: false,
        needsSignIn: true,
      };
    case 'signed_out':
      return { tone: 'busy', icon: '○', text: s.signedOut, countdown: null, detail: null, canRetryNow: false, needsSignIn: false };
  }
}

/** The first-sync progress as a fraction 0…1, or null when no sync is running. */
export function syncFraction(progress: { phase: 'idle' | 'syncing'; done: number; total: number } | null): number | null {
  if (progress === null || progress.phase !== 'syncing') return null;
  return progress.total === 0 ? 0 : Math.min(1, progress.done / progress.total);
}
