// Under a failed message: why, in words, and the two things the agent can do about it.
import type { Message } from '../../shared/domain';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { failureText } from './message-label';

export function FailedActions({ message }: { message: Message }) {
  const retry = useAppStore((s) => s.retryMessage);
  const discard = useAppStore((s) => s.discardMessage);
  const error = useAppStore((s) => s.messageErrors[message.id]);
  return (
    <div className="failed-actions">
      <p className="failed-reason">{failureText(message.failure)}</p>
      <button type="button" onClick={() => void retry(message.id)}>
        {strings.message.retry}
      </button>
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
