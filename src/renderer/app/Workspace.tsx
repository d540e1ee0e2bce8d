// The signed-in screen: conversation list, the open conversation with its composer (or, when a colleague holds it, who
// does and Take over), notices about conversations that changed hands, and the customer panel.
import { Composer } from '../composer/Composer';
import { ConversationHeader } from '../conversation/ConversationHeader';
import { MessageList } from '../conversation/MessageList';
import { Sidebar } from '../conversations/Sidebar';
import { CustomerPanel } from '../customer/CustomerPanel';
import { ReadOnlyBar } from '../customer/ReadOnlyBar';
import { Notices } from '../team/Notices';
import { accessOf } from '../ui/access';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

export function Workspace() {
  const openId = useAppStore((s) => s.openId);
  const conversation = useAppStore((s) => (s.openId === null ? undefined : s.summaries[s.openId]?.conversation));
  const me = useAppStore((s) => s.session?.agent ?? null);
  const readOnly = conversation !== undefined && accessOf(conversation, me).readOnly;
  return (
    <div className="workspace">
      <Sidebar />
      <main className="thread-pane" aria-label={strings.workspace}>
        <Notices />
        {openId === null ? (
          <div className="thread-empty">
            <p>{strings.thread.nothingOpen}</p>
          </div>
        ) : (
          <>
            <ConversationHeader conversationId={openId} />
            <MessageList />
            {readOnly ? <ReadOnlyBar conversation={conversation} /> : <Composer key={openId} conversationId={openId} />}
          </>
        )}
      </main>
      {openId !== null && <CustomerPanel key={openId} conversationId={openId} />}
    </div>
  );
}
