// The conversation list: a virtualised listbox (thousands of rows scroll smoothly), arrow keys move, Enter opens.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { nextIndex } from '../ui/list-keys';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { useNow } from '../ui/use-now';
import { ConversationRow, ROW_HEIGHT, optionId } from './ConversationRow';
import { CONVERSATION_LIST_ID } from './SearchBox';

/** Start fetching the next page this many rows before the end. */
const PREFETCH_ROWS = 40;

export function ConversationList() {
  const ids = useAppStore((s) => s.list.ids);
  const status = useAppStore((s) => s.list.status);
  const total = useAppStore((s) => s.list.total);
  const listError = useAppStore((s) => s.list.error);
  const filter = useAppStore((s) => s.filter);
  const openId = useAppStore((s) => s.openId);
  const openConversation = useAppStore((s) => s.openConversation);
  const loadMore = useAppStore((s) => s.loadMoreConversations);
  const reload = useAppStore((s) => s.loadConversations);
  const now = useNow(60_000);
  const [activeId, setActiveId] = useState<string | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  const activeIndex = activeId !== null && ids.includes(activeId) ? ids.indexOf(activeId) : openId !== null ? ids.indexOf(openId) : -1;
  const active = ids[activeIndex] ?? null;

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose; rows re-render from its state
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => ids[index] ?? index,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastRendered = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (ids.length > 0 && lastRendered >= ids.length - PREFETCH_ROWS) void loadMore();
  }, [lastRendered, ids.length, loadMore]);

  const choose = useCallback(
    (id: string) => {
      setActiveId(id);
      void openConversation(id);
    },
    [openConversation],
  );

  const onKeyDown = (event: KeyboardEvent) => {
    const next = nextIndex(event.key, activeIndex, ids.length, Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT)));
    if (next !== null) {
      event.preventDefault();
      setActiveId(ids[next] ?? null);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    } else if ((event.key === 'Enter' || event.key === ' ') && active !== null) {
      event.preventDefault();
      choose(active);
    }
  };

  if (status === 'error' && ids.length === 0) {
    return (
      <div className="list-message" role="alert">
        <p>{listError}</p>
        <button type="button" onClick={() => void reload()}>
          {strings.connection.tryAgain}
        </button>
      </div>
    );
  }

  return (
    <div
      id={CONVERSATION_LIST_ID}
      ref={scrollRef}
      className="conversation-list"
      role="listbox"
      aria-label={strings.list.label}
      aria-activedescendant={active === null ? undefined : optionId(active)}
      aria-busy={status === 'loading'}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={(event) => {
        // Keyboard focus brings the cursor row into view; a mouse click must not scroll the row away from under the pointer.
        if (activeIndex >= 0 && event.currentTarget.matches(':focus-visible')) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
      }}
    >
      {status === 'ready' && ids.length === 0 && <p className="list-empty">{strings.list.empty[filter]}</p>}
      {status === 'loading' && ids.length === 0 && <p className="list-empty">{strings.list.loading}</p>}
      <div className="virtual-sizer" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const id = ids[item.index];
          if (id === undefined) return null;
          return (
            <ConversationRow
              key={id}
              id={id}
              index={item.index}
              setSize={total}
              start={item.start}
              active={id === active}
              selected={id === openId}
              now={now}
              onChoose={choose}
            />
          );
        })}
      </div>
    </div>
  );
}
