// The open conversation's messages: virtualised, anchored to the bottom, older history loaded on scroll up
// without moving what the agent is reading (TanStack Virtual's end anchoring keeps the visible row in place).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { useNow } from '../ui/use-now';
import { customerLabel } from '../ui/customer-label';
import { MessageRow, estimateRowHeight } from './MessageRow';
import { buildTimeline, reuseRows, type TimelineRow } from './timeline';

/** Older history is fetched when the agent is this close to the top. */
const LOAD_OLDER_WITHIN_PX = 600;
/** "At the bottom" for following new messages. */
const AT_END_PX = 80;

export function MessageList() {
  const thread = useAppStore((s) => s.thread);
  const loadOlder = useAppStore((s) => s.loadOlder);
  const jumpToLatest = useAppStore((s) => s.jumpToLatest);
  const conversation = useAppStore((s) => (s.thread === null ? undefined : s.summaries[s.thread.conversationId]?.conversation));
  const label = conversation === undefined ? null : customerLabel(conversation);
  const now = useNow(60_000);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  const positioned = useRef<number | null>(null);

  const order = thread?.order;
  const byId = thread?.byId;
  const [previousRows] = useState(() => new Map<string, TimelineRow>());
  const rows = useMemo(() => {
    const next = reuseRows(order === undefined || byId === undefined ? [] : buildTimeline(order, byId), previousRows);
    previousRows.clear();
    for (const row of next) previousRows.set(row.key, row);
    return next;
  }, [order, byId, previousRows]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => estimateRowHeight(rows[index]),
    getItemKey: (index) => rows[index]?.key ?? index,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: AT_END_PX,
    overscan: 6,
    paddingStart: 12,
    paddingEnd: 12,
  });

  // A fresh load opens at the bottom, or at the search hit.
  const loadId = thread?.status === 'ready' ? thread.loadId : null;
  const focusId = thread?.focusId ?? null;
  useLayoutEffect(() => {
    if (loadId === null || positioned.current === loadId || rows.length === 0) return;
    positioned.current = loadId;
    const focusIndex = focusId === null ? -1 : rows.findIndex((r) => r.key === focusId);
    if (focusIndex >= 0) virtualizer.scrollToIndex(focusIndex, { align: 'center' });
    else virtualizer.scrollToEnd();
  }, [loadId, focusId, rows, virtualizer]);

  // A short history that does not fill the pane cannot be scrolled up: fetch the next page directly.
  const hasOlder = thread?.hasOlder === true;
  const total = virtualizer.getTotalSize();
  useEffect(() => {
    const element = scrollRef.current;
    if (hasOlder && element !== null && total < element.clientHeight) void loadOlder();
  }, [hasOlder, total, loadOlder]);

  const onScroll = () => {
    const element = scrollRef.current;
    if (element === null) return;
    setAtEnd(element.scrollHeight - element.scrollTop - element.clientHeight <= AT_END_PX);
    if (positioned.current !== null && element.scrollTop < LOAD_OLDER_WITHIN_PX) void loadOlder();
  };

  if (thread === null) return null;
  if (thread.status === 'loading') return <div className="message-pane message-pane-note">{strings.thread.loading}</div>;
  if (thread.status === 'error')
    return (
      <div className="message-pane message-pane-note" role="alert">
        {thread.error}
      </div>
    );

  return (
    <div className="message-pane">
      <div ref={scrollRef} className="message-scroller" onScroll={onScroll}>
        {/* Focusable, so arrow keys and Page Up/Down scroll the history. */}
        <div role="list" aria-label={strings.thread.messagesLabel} className="virtual-sizer message-list" style={{ height: total }} tabIndex={0}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            return (
              <MessageRow
                key={item.key}
                row={row}
                index={item.index}
                start={item.start}
                measureRef={virtualizer.measureElement}
                customerName={label?.name ?? null}
                group={label?.group === true}
                focused={row.key === focusId}
                now={now}
              />
            );
          })}
        </div>
      </div>
      {rows.length === 0 && <p className="pane-pill pane-pill-top">{strings.thread.empty}</p>}
      {thread.loadingOlder && <p className="pane-pill pane-pill-top">{strings.thread.loadingOlder}</p>}
      {(thread.gapToLatest || !atEnd) && (
        <button
          type="button"
          className="pane-pill pane-pill-bottom"
          onClick={() => (thread.gapToLatest ? void jumpToLatest() : virtualizer.scrollToEnd({ behavior: 'smooth' }))}
        >
          {strings.thread.jumpToLatest}
        </button>
      )}
    </div>
  );
}
