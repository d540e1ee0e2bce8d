// The signed-in screen: conversation list, the open conversation with its composer, and the customer panel.
import { Composer } from '../composer/Composer';
import { ConversationHeader } from '../conversation/ConversationHeader';
import { MessageList } from '../conversation/MessageList';
import { Sidebar } from '../conversations/Sidebar';
import { CustomerPanel } from '../customer/CustomerPanel';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

export function Workspace() {
  const openId = useAppStore((s) => s.openId);
  return (
    <div className="workspace">
      <Sidebar />
      <main className="thread-pane" aria-label={strings.workspace}>
        {openId === null ? (
          <div className="thread-empty">
            <p>{strings.thread.nothingOpen}</p>
          </div>
        ) : (
          <>
            <ConversationHeader conversationId={openId} />
            <MessageList />
            <Composer key={openId} conversationId={openId} />
          </>
        )}
      </main>
      {openId !== null && <CustomerPanel key={openId} conversationId={openId} />}
    </div>
  );
}
