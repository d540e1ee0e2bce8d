// The status bar: whether messages can leave (Live, Reconnecting, Offline…), how many wait, and first-sync progress.
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { useNow } from '../ui/use-now';
import { describeConnection, syncFraction } from './connection-label';

export function StatusBar() {
  const boot = useAppStore((s) => s.boot);
  const connection = useAppStore((s) => s.connection);
  const sync = useAppStore((s) => s.sync);
  const retryNow = useAppStore((s) => s.retryNow);
  const now = useNow(1000, connection?.status === 'reconnecting');
  const view =
    boot === 'unavailable'
      ? {
          tone: 'error' as const,
          icon: '✕',
          text: strings.connection.bridgeMissing,
          countdown: null,
          detail: null,
          technical: null,
          canRetryNow: false,
          needsSignIn: false,
        }
      : describeConnection(connection, now);
  const fraction = syncFraction(sync);

  return (
    <footer className="status-bar">
      <p role="status" className={`status status-${view.tone}`}>
        <span className="status-icon" aria-hidden="true">
          {view.icon}
        </span>
        <span className="status-text">{view.text}</span>
        {view.detail !== null && <span className="status-detail"> — {view.detail}</span>}
      </p>
      {view.countdown !== null && <span className="status-countdown">{view.countdown}</span>}
      {view.technical !== null && <span className="status-technical">{view.technical}</span>}
      {view.canRetryNow && (
        <button type="button" className="button-quiet" onClick={() => void retryNow()}>
          {strings.status.retryNow}
        </button>
      )}
      {fraction !== null && sync !== null && (
        <div className="sync">
          <progress max={1} value={fraction} aria-label={strings.status.syncing} />
          <span>{strings.status.syncProgress(sync.done, sync.total)}</span>
        </div>
      )}
    </footer>
  );
}
