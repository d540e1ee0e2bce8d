// Arrow-key movement in a list (listbox or message list): the index a key moves to, or null for other keys.

export function nextIndex(key: string, current: number, count: number, pageSize: number): number | null {
  if (count === 0) return null;
  const from = current < 0 ? -1 : Math.min(current, count - 1);
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, from + 1);
    case 'ArrowUp':
      return from <= 0 ? 0 : from - 1;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, Math.max(0, from) + pageSize);
    case 'PageUp':
      return Math.max(0, from - pageSize);
    default:
      return null;
  }
}
