// Under a failed message: why, in words, and what the agent can do about it (a colleague's: only discard it). Under a
// message a colleague queued here and never sent: when it goes, and Discard.
import type { Message } from '../../shared/domain';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { failureText } from './message-label';

export function FailedActions({ message, canRetry = true }: { message: Message; canRetry?: boolean }) {
  const retry = useAppStore((s) => s.retryMessage);
  const discard = useAppStore((s) => s.discardMessage);
  const error = useAppStore((s) => s.messageErrors[message.id]);
  return (
    <div className="failed-actions">
      <p className="failed-reason">{failureText(message.failure)}</p>
      {canRetry && (
        <button type="button" onClick={() => void retry(message.id)}>
          {strings.message.retry}
        </button>
      )}
      <button type="button" className="button-quiet" onClick={() => void discard(message.id)}>
        {strings.message.discard}
      </button>
      {error !== undefined && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function QueuedByColleague({ message, name }: { message: Message; name: string }) {
  const discard = useAppStore((s) => s.discardMessage);
  const error = useAppStore((s) => s.messageErrors[message.id]);
  return (
    <div className="failed-actions queued-by">
      <p className="muted">{strings.team.queuedByHint(name)}</p>
      <button type="button" className="button-quiet" onClick={() => void discard(message.id)}>
        {strings.message.discard}
      </button>
      {error !== undefined && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </div>
  );
}
