// One row of the message list: a day separator when the day changes, then the bubble with its time and state (in a
// group, who wrote it; a colleague's message, their name; for an edited message, its earlier versions behind a
// disclosure), or a system line. A message a colleague queued here says so, and waits for them.
import { senderOf } from '../ui/people';
import { memo, useId, useState } from 'react';
import { dayLabel, formatTime } from '../ui/format';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { FailedActions, QueuedByColleague } from './FailedActions';
import { MessageBody } from './MessageBody';
import { contentSummary, messageAccessibleName, statusLabel, systemText } from './message-label';
import type { TimelineRow } from './timeline';
import { Icon } from '../ui/icons';
import { authorName } from '../ui/customer-label';
import type { MessageContent } from '../../shared/domain';

/** A first guess before the row is measured; close guesses keep the scrollbar steady. */
export function estimateRowHeight(row: TimelineRow | undefined): number {
  if (row === undefined) return 60;
  const day = row.startsDay ? 40 : 0;
  const reactions = row.reactions.length > 0 ? 16 : 0;
  const failed = row.message.status === 'failed' ? 64 : 0;
  const content = row.message.content;
  let body = 44;
  if (content.type === 'text') body = 36 + Math.ceil(content.body.length / 60) * 20;
  else if (content.type === 'image' || content.type === 'sticker') body = 220;
  else if (content.type === 'document' || content.type === 'video' || content.type === 'audio' || content.type === 'template') body = 96;
  else if (content.type === 'contacts') body = 60 + content.contacts.reduce((h, c) => h + 40 + (c.phones.length + c.emails.length) * 30, 0);
  else if (content.type === 'order') body = 110 + content.items.length * 26;
  else if (content.type === 'interactive_reply') body = 40 + content.fields.length * 24;
  else if (content.type === 'system') body = 28;
  return day + body + reactions + failed + 8;
}

const STATUS_ICONS = { queued: null, pending: '↑', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' } as const;

interface Props {
  row: TimelineRow;
  index: number;
  start: number;
  measureRef: (element: HTMLDivElement | null) => void;
  customerName: string | null;
  /** A group conversation: each inbound bubble names its author. */
  group: boolean;
  focused: boolean;
  now: number;
}

export const MessageRow = memo(function MessageRow({ row, index, start, measureRef, customerName, group, focused, now }: Props) {
  const message = row.message;
  const outbound = message.direction === 'out';
  const me = useAppStore((s) => s.session?.agent?.id ?? null);
  const directory = useAppStore((s) => s.directory);
  const sender = outbound ? senderOf(message, me, directory) : null;
  const time = formatTime(message.createdAt);
  const who = sender !== null ? sender.name : group ? authorName(message.author) : (customerName ?? strings.message.customer);
  // Queued on this computer by a colleague who signed out: it is theirs to send, not this agent's.
  const queuedBy = sender !== null && !sender.mine && message.status === 'queued' ? strings.team.queuedBy(sender.name) : null;
  const system = message.content.type === 'system' ? message.content : null;
  const earlier = message.content.type === 'deleted' ? null : (message.edited ?? null);
  const [showEarlier, setShowEarlier] = useState(false);
  const earlierId = useId();
  const classes = ['bubble', outbound ? 'bubble-out' : 'bubble-in', focused ? 'bubble-focus' : '', message.status === 'failed' ? 'bubble-failed' : ''].join(
    ' ',
  );

  return (
    <div
      role="listitem"
      aria-label={messageAccessibleName(message, who, time, queuedBy ?? undefined)}
      ref={measureRef}
      data-index={index}
      className="message-slot"
      style={{ transform: `translateY(${start}px)` }}
    >
      {row.startsDay && (
        <div className="day-separator" role="separator" aria-label={dayLabel(message.createdAt, now)}>
          <span>{dayLabel(message.createdAt, now)}</span>
        </div>
      )}
      {system !== null ? (
        // Something that happened, not something said: a line across the thread, not a bubble.
        <p className="system-line">
          <span>{systemText(system)}</span> <time dateTime={new Date(message.createdAt).toISOString()}>{time}</time>
        </p>
      ) : (
        <div className={outbound ? 'bubble-line bubble-line-out' : 'bubble-line'}>
          <div className={classes}>
            {((group && !outbound) || sender?.mine === false) && <bdi className="author">{who}</bdi>}
            {message.replyToId !== null && <QuotedMessage id={message.replyToId} customerName={customerName} />}
            <MessageBody content={message.content} />
            <div className="bubble-meta">
              {earlier !== null && (
                // A disclosure: "edited" beside the time opens the customer's earlier versions under the bubble's text.
                <button
                  type="button"
                  className="edited-toggle"
                  aria-expanded={showEarlier}
                  aria-controls={earlierId}
                  aria-label={strings.kinds.editedLabel(earlier.previous.length)}
                  onClick={() => setShowEarlier(!showEarlier)}
                >
                  {strings.kinds.edited}
                </button>
              )}
              <time dateTime={new Date(message.createdAt).toISOString()}>{time}</time>
              {queuedBy !== null && <span className="delivery delivery-queued-by">{queuedBy}</span>}
              {outbound && queuedBy === null && (
                <span className={`delivery delivery-${message.status}`}>
                  {STATUS_ICONS[message.status] === null ? <Icon name="clock" /> : <span aria-hidden="true">{STATUS_ICONS[message.status]}</span>}{' '}
                  {message.status === 'failed' ? strings.message.status.failedShort : statusLabel(message.status, null)}
                </span>
              )}
            </div>
            {earlier !== null && showEarlier && <EarlierVersions id={earlierId} previous={earlier.previous} />}
            {row.reactions.length > 0 && (
              <div className="reactions" aria-label={strings.message.reactions(row.reactions.map((r) => r.emoji).join(' '))}>
                {row.reactions.map((r) => (
                  <span key={r.direction} className="reaction" title={r.direction === 'in' ? who : strings.message.you}>
                    {r.emoji}
                  </span>
                ))}
              </div>
            )}
          </div>
        </div>
      )}
      {outbound && message.status === 'failed' && <FailedActions message={message} canRetry={sender?.mine !== false} />}
      {queuedBy !== null && sender !== null && <QueuedByColleague message={message} name={sender.name} />}
    </div>
  );
});

function QuotedMessage({ id, customerName }: { id: string; customerName: string | null }) {
  const quoted = useAppStore((s) => s.thread?.byId[id]);
  const me = useAppStore((s) => s.session?.agent?.id ?? null);
  const directory = useAppStore((s) => s.directory);
  if (quoted === undefined) return <div className="quote quote-missing">{strings.message.replyToEarlier}</div>;
  const who = quoted.direction === 'out' ? senderOf(quoted, me, directory).name : (customerName ?? strings.message.customer);
  const summary = contentSummary(quoted.content);
  return (
    <div className="quote" dir="auto">
      <strong>{who}</strong> {summary.length > 160 ? `${summary.slice(0, 159)}…` : summary}
    </div>
  );
}

/** The customer's earlier versions of an edited message, oldest first (kept so the agent sees what was corrected). */
function EarlierVersions({ id, previous }: { id: string; previous: readonly MessageContent[] }) {
  const k = strings.kinds;
  return (
    <ol id={id} className="edited-versions">
      {previous.map((content, i) => (
        <li key={i}>
          <span className="muted">{k.previousVersion(i + 1)}:</span> <bdi>{contentSummary(content)}</bdi>
        </li>
      ))}
    </ol>
  );
}
