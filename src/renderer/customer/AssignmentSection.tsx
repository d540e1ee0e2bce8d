// Who handles the customer, by name, and what this agent may do about it: take, take over (after confirming), release,
// and for a supervisor, transfer to another team. The relay enforces each; this only offers what it would allow.
import type { Conversation } from '../../shared/domain';
import { accessOf } from '../ui/access';
import { assigneeName } from '../ui/people';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { ActionError } from './ActionError';

const p = strings.customer;
const t = strings.team;

export function AssignmentSection({ conversation }: { conversation: Conversation }) {
  const me = useAppStore((s) => s.session?.agent ?? null);
  const directory = useAppStore((s) => s.directory);
  const action = useAppStore((s) => s.customerAction);
  const assign = useAppStore((s) => s.assign);
  const askConfirm = useAppStore((s) => s.askConfirm);
  const access = accessOf(conversation, me);
  const id = conversation.id;
  const busy = action.busy && action.conversationId === id;
  const error = action.conversationId === id && (action.kind === 'assign' || action.kind === 'transfer') ? action.error : null;
  const holder = assigneeName(conversation, directory);

  return (
    <section className="panel-section" aria-label={p.assignment}>
      <h3>{p.assignment}</h3>
      <p>{holder === null ? p.unassigned : access.mine ? p.assignedToYou : p.assignedToOther(holder)}</p>
      {conversation.team !== undefined && (
        <p className="muted">
          {t.teamLabel}: <bdi>{conversation.team.name}</bdi>
        </p>
      )}
      <div className="button-row">
        {holder === null && (
          <button type="button" onClick={() => void assign(id, true)} disabled={busy}>
            {p.take}
          </button>
        )}
        {access.canTakeOver && (
          <button type="button" onClick={() => askConfirm('take_over', id)} disabled={busy} aria-haspopup="dialog">
            {t.takeOver}
          </button>
        )}
        {access.canRelease && (
          <button type="button" className={access.mine ? undefined : 'button-quiet'} onClick={() => void assign(id, false)} disabled={busy}>
            {t.release}
          </button>
        )}
        {access.canTransfer && (
          <button type="button" className="button-quiet" onClick={() => askConfirm('transfer', id)} disabled={busy} aria-haspopup="dialog">
            {t.transfer}
          </button>
        )}
      </div>
      <ActionError message={error} />
    </section>
  );
}
