// The open conversation's title: the customer's name and number.
import { formatPhone } from '../ui/format';
import { textDirection } from '../ui/text-direction';
import { useAppStore } from '../store/use-app-store';

export function ConversationHeader({ conversationId }: { conversationId: string }) {
  const customer = useAppStore((s) => s.summaries[conversationId]?.conversation.customer);
  const name = customer?.name ?? (customer === undefined ? '' : formatPhone(customer.waId));
  return (
    <header className="thread-header">
      <h2 dir={textDirection(name)}>{name}</h2>
      {customer !== undefined && customer.name !== null && <span className="muted">{formatPhone(customer.waId)}</span>}
    </header>
  );
}
