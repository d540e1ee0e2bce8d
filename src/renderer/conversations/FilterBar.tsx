// All / Mine / Unassigned / Unread: which conversations the list shows.
import type { ConversationFilter } from '../../shared/contract';
import { strings } from '../ui/strings';
import { useAppStore } from '../store/use-app-store';

const FILTERS: readonly ConversationFilter[] = ['all', 'mine', 'unassigned', 'unread'];

export function FilterBar() {
  const filter = useAppStore((s) => s.filter);
  const setFilter = useAppStore((s) => s.setFilter);
  return (
    <div className="filter-bar" role="group" aria-label={strings.list.filterLabel}>
      {FILTERS.map((f) => (
        <button key={f} type="button" className="filter" aria-pressed={filter === f} onClick={() => setFilter(f)}>
          {strings.list.filters[f]}
        </button>
      ))}
    </div>
  );
}
