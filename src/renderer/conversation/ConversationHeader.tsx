// The open conversation's title: the customer's name (or username, or the group's subject) and the number, or why
// there is none.
import { customerLabel } from '../ui/customer-label';
import { useAppStore } from '../store/use-app-store';

export function ConversationHeader({ conversationId }: { conversationId: string }) {
  const conversation = useAppStore((s) => s.summaries[conversationId]?.conversation);
  const label = conversation === undefined ? null : customerLabel(conversation);
  return (
    <header className="thread-header">
      {/* dir="auto" isolates a profile name, so its script cannot reorder the text beside it. */}
      <h2 dir="auto">{label?.name ?? ''}</h2>
      {label?.detail !== null && label?.detail !== undefined && (
        <span className={label.numberHidden ? 'muted number-hidden' : 'muted'} dir="auto">
          {label.detail}
        </span>
      )}
    </header>
  );
}
