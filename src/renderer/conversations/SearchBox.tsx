// The search field: results appear as the agent types; Escape clears; Down arrow moves into the results.
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

export const SEARCH_RESULTS_ID = 'search-results';
export const CONVERSATION_LIST_ID = 'conversation-list';

export function SearchBox() {
  const query = useAppStore((s) => s.search.query);
  const setSearchQuery = useAppStore((s) => s.setSearchQuery);
  const clearSearch = useAppStore((s) => s.clearSearch);
  return (
    <div className="search-box" role="search">
      <input
        type="search"
        aria-label={strings.search.label}
        placeholder={strings.search.placeholder}
        value={query}
        maxLength={200}
        onChange={(e) => setSearchQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') clearSearch();
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            document.getElementById(query.trim() === '' ? CONVERSATION_LIST_ID : SEARCH_RESULTS_ID)?.focus();
          }
        }}
      />
    </div>
  );
}
