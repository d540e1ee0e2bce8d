// One row of the conversation list: name, time, preview or draft, unread count, assignment and 24-hour window.
import { memo } from 'react';
import { listTime } from '../ui/format';
import { strings } from '../ui/strings';
import { textDirection } from '../ui/text-direction';
import { useAppStore } from '../store/use-app-store';
import { assignmentLabel, customerName, previewLine, rowAccessibleName, teamLabel, windowLabel } from './row-label';

export const ROW_HEIGHT = 76;
const NO_TEAMS: readonly { id: string }[] = [];

export function optionId(conversationId: string): string {
  return `conversation-option-${conversationId}`;
}

interface Props {
  id: string;
  index: number;
  setSize: number;
  start: number;
  active: boolean;
  selected: boolean;
  now: number;
  onChoose(id: string): void;
}

export const ConversationRow = memo(function ConversationRow({ id, index, setSize, start, active, selected, now, onChoose }: Props) {
  const summary = useAppStore((s) => s.summaries[id]);
  const me = useAppStore((s) => s.session?.agent?.id ?? null);
  const myTeams = useAppStore((s) => s.session?.agent?.teams ?? NO_TEAMS);
  const directory = useAppStore((s) => s.directory);
  const localDraft = useAppStore((s) => s.drafts[id]?.text);
  if (summary === undefined) return null;
  const c = summary.conversation;
  const name = customerName(summary);
  const assignment = assignmentLabel(c, me, directory);
  const team = teamLabel(c, myTeams);
  const window = windowLabel(c.lastInboundAt, now);
  const time = c.lastMessageAt === null ? null : listTime(c.lastMessageAt, now);
  const preview = previewLine(summary, localDraft, me, directory);
  const classes = ['conversation-row', active ? 'active' : '', selected ? 'selected' : '', summary.unread > 0 ? 'has-unread' : ''].join(' ');

  return (
    <div
      role="option"
      id={optionId(id)}
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      aria-label={rowAccessibleName(summary, { assignment, team, window: window.text, time, preview: preview.text })}
      className={classes}
      style={{ height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
      onClick={() => onChoose(id)}
    >
      <div className="row-line">
        <span className="row-name" dir={textDirection(name)}>
          {name}
        </span>
        {time !== null && <time className="row-time">{time}</time>}
      </div>
      <div className="row-line">
        <span className={preview.draft ? 'row-preview row-draft' : 'row-preview'} dir={textDirection(preview.text)}>
          {preview.text}
        </span>
        {summary.unread > 0 && <span className="badge">{summary.unread}</span>}
      </div>
      <div className="row-tags">
        <span className={c.assignedAgentId === null ? 'tag tag-unassigned' : c.assignedAgentId === me ? 'tag tag-mine' : 'tag'}>{assignment}</span>
        {team !== null && <span className="tag tag-team">{team}</span>}
        <span className={window.open ? 'tag tag-open' : 'tag tag-closed'}>{window.text}</span>
        {(c.group ?? null) !== null && <span className="tag">{strings.kinds.identity.group}</span>}
      </div>
    </div>
  );
});
