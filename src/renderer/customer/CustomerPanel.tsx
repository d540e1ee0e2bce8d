// The right column: who the customer is, who handles them (by name, with take over, release and transfer), the 24-hour
// window, the bank case, and "Mark as read". A conversation a colleague holds is read-only here.
import { accessOf } from '../ui/access';
import { customerLabel } from '../ui/customer-label';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { useNow } from '../ui/use-now';
import { ActionError } from './ActionError';
import { AssignmentSection } from './AssignmentSection';
import { CaseLink } from './CaseLink';
import { ConfirmDialogs } from './ConfirmDialogs';
import { windowView } from './window-countdown';

const p = strings.customer;

export function CustomerPanel({ conversationId }: { conversationId: string }) {
  const summary = useAppStore((s) => s.summaries[conversationId]);
  const me = useAppStore((s) => s.session?.agent ?? null);
  const action = useAppStore((s) => s.customerAction);
  const markRead = useAppStore((s) => s.markRead);
  const hasInbound = useAppStore((s) => s.thread?.conversationId === conversationId && s.thread.order.some((id) => s.thread?.byId[id]?.direction === 'in'));
  const now = useNow(30_000);
  if (summary === undefined) return <aside className="customer-panel" aria-label={p.region} />;

  const c = summary.conversation;
  const label = customerLabel(c);
  const { readOnly } = accessOf(c, me);
  const window = windowView(c.lastInboundAt, now);
  const busy = action.busy && action.conversationId === conversationId;
  const errorFor = (kind: 'read') => (action.conversationId === conversationId && action.kind === kind ? action.error : null);

  return (
    <aside className="customer-panel" aria-label={p.region}>
      {/* dir="auto" isolates a profile name, so its script cannot reorder the text beside it. */}
      <h2 className="customer-name" dir="auto">
        {label.name}
      </h2>
      {label.detail !== null && (
        <p className={label.numberHidden ? 'muted number-hidden' : 'muted'} dir="auto">
          {label.detail}
        </p>
      )}
      {label.group && <p className="group-note">{strings.kinds.identity.groupNote}</p>}

      <AssignmentSection conversation={c} />
      <ConfirmDialogs conversation={c} />

      <section className="panel-section" aria-label={p.window}>
        <h3>{p.window}</h3>
        <p className={`window-state window-${window.state}`}>{window.text}</p>
      </section>

      <CaseLink conversationId={conversationId} caseId={c.caseId} readOnly={readOnly} />

      <section className="panel-section" aria-label={p.readReceipts}>
        <h3>{p.readReceipts}</h3>
        <p className="muted">{summary.unread > 0 ? p.unreadCount(summary.unread) : p.allRead}</p>
        <button type="button" onClick={() => void markRead(conversationId)} disabled={busy || readOnly || summary.unread === 0 || !hasInbound}>
          {p.markRead}
        </button>
        <ActionError message={errorFor('read')} />
      </section>
    </aside>
  );
}
