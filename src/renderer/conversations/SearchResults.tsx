// Search results: each hit opens its conversation at the matching message (messages.page with `around`).
import { useState, type KeyboardEvent } from 'react';
import type { SearchHit } from '../../shared/contract';
import { customerLabel } from '../ui/customer-label';
import { listTime } from '../ui/format';
import { nextIndex } from '../ui/list-keys';
import { strings } from '../ui/strings';
import { textDirection } from '../ui/text-direction';
import { useAppStore } from '../store/use-app-store';
import { useNow } from '../ui/use-now';
import { SEARCH_RESULTS_ID } from './SearchBox';
import { snippetSegments, snippetText } from './snippet';

function hitId(index: number): string {
  return `search-hit-${index}`;
}

export function SearchResults() {
  const search = useAppStore((s) => s.search);
  const openConversation = useAppStore((s) => s.openConversation);
  const now = useNow(60_000);
  const [activeIndex, setActiveIndex] = useState(-1);
  const hits = search.hits;
  const active = Math.min(activeIndex, hits.length - 1);

  const choose = (hit: SearchHit, index: number) => {
    setActiveIndex(index);
    void openConversation(hit.conversationId, hit.messageId === null ? {} : { around: hit.messageId });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const next = nextIndex(event.key, active, hits.length, 5);
    if (next !== null) {
      event.preventDefault();
      setActiveIndex(next);
      document.getElementById(hitId(next))?.scrollIntoView({ block: 'nearest' });
    } else if (event.key === 'Enter' && hits[active] !== undefined) {
      event.preventDefault();
      choose(hits[active], active);
    }
  };

  let note: string | null = null;
  if (search.status === 'searching' && hits.length === 0) note = strings.search.searching;
  else if (search.status === 'error') note = search.error;
  else if (search.status === 'ready' && hits.length === 0) note = strings.search.noResults;

  return (
    <div className="search-results-wrap">
      {note !== null && <p className="list-empty">{note}</p>}
      <div
        id={SEARCH_RESULTS_ID}
        className="search-results"
        role="listbox"
        aria-label={strings.search.resultsLabel}
        aria-activedescendant={active >= 0 ? hitId(active) : undefined}
        aria-busy={search.status === 'searching'}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        {hits.map((hit, index) => {
          const name = customerLabel(hit).name;
          const text = snippetText(hit.snippet);
          const time = hit.at === null ? null : listTime(hit.at, now);
          return (
            <div
              key={`${hit.conversationId}:${hit.messageId ?? ''}`}
              id={hitId(index)}
              role="option"
              aria-selected={index === active}
              aria-label={`${name}${time === null ? '' : `, ${time}`}: ${text}`}
              className={index === active ? 'search-hit active' : 'search-hit'}
              onClick={() => choose(hit, index)}
            >
              <div className="row-line">
                <span className="row-name" dir={textDirection(name)}>
                  {name}
                </span>
                {time !== null && <time className="row-time">{time}</time>}
              </div>
              <p className="hit-snippet" dir={textDirection(text)}>
                {snippetSegments(hit.snippet).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : <span key={i}>{segment.text}</span>))}
              </p>
            </div>
          );
        })}
      </div>
    </div>
  );
}
