// The left column: search, filters, and either the conversation list or the search results.
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';
import { ConversationList } from './ConversationList';
import { FilterBar } from './FilterBar';
import { SearchBox } from './SearchBox';
import { SearchResults } from './SearchResults';

export function Sidebar() {
  const searching = useAppStore((s) => s.search.query.trim() !== '');
  return (
    <nav className="sidebar" aria-label={strings.list.region}>
      <SearchBox />
      {searching ? (
        <SearchResults />
      ) : (
        <>
          <FilterBar />
          <ConversationList />
        </>
      )}
    </nav>
  );
}
