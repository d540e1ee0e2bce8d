// Calm notices above the open conversation: a colleague took over one of this agent's conversations, or a conversation
// moved to another team or out of reach. Polite, dismissible, never a modal.
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import type { Notice } from './team-slice';

const t = strings.team.notices;

export function noticeText(notice: Notice, openId: string | null): string {
  switch (notice.kind) {
    case 'taken_over':
      return notice.conversationId === openId
        ? t.takenOverHere(notice.by ?? strings.team.colleague)
        : t.takenOver(notice.by ?? strings.team.colleague, notice.customer);
    case 'transferred':
      return t.transferred(notice.customer, notice.team ?? '');
    case 'left':
      return t.left(notice.customer);
  }
}

export function Notices() {
  const notices = useAppStore((s) => s.notices);
  const openId = useAppStore((s) => s.openId);
  const dismiss = useAppStore((s) => s.dismissNotice);
  const open = useAppStore((s) => s.openConversation);
  const exists = useAppStore((s) => s.summaries);
  return (
    <section className="team-notices" aria-label={t.region} aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className="notice notice-calm">
          <span>{noticeText(notice, openId)}</span>
          <span className="button-row">
            {notice.kind === 'taken_over' && notice.conversationId !== openId && exists[notice.conversationId] !== undefined && (
              <button type="button" className="button-quiet" onClick={() => void open(notice.conversationId)}>
                {t.open}
              </button>
            )}
            <button type="button" className="button-quiet" onClick={() => dismiss(notice.id)}>
              {t.dismiss}
            </button>
          </span>
        </div>
      ))}
    </section>
  );
}
