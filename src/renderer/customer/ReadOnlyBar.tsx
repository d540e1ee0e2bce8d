// In place of the composer when a colleague holds the conversation: who does, by name, and Take over (confirmed first).
import type { Conversation } from '../../shared/domain';
import { assigneeName } from '../ui/people';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { ActionError } from './ActionError';

const t = strings.team;

export function ReadOnlyBar({ conversation }: { conversation: Conversation }) {
  const directory = useAppStore((s) => s.directory);
  const askConfirm = useAppStore((s) => s.askConfirm);
  const action = useAppStore((s) => s.customerAction);
  const busy = action.busy && action.conversationId === conversation.id;
  const error = action.conversationId === conversation.id && action.kind === 'assign' ? action.error : null;
  const holder = assigneeName(conversation, directory) ?? t.colleague;
  return (
    <section className="read-only-bar" aria-label={t.assignedToColleague(holder)}>
      <p>{t.readOnly(holder)}</p>
      <button type="button" className="button-primary" onClick={() => askConfirm('take_over', conversation.id)} disabled={busy} aria-haspopup="dialog">
        {t.takeOver}
      </button>
      <ActionError message={error} />
    </section>
  );
}
