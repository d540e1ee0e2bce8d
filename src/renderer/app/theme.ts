// Applies the theme setting to the document: "system" leaves it to prefers-color-scheme (see app.css).
import type { Settings } from '../../shared/contract';
import type { AppStore } from '../store/app-state';

export function themeAttribute(theme: Settings['theme'] | undefined): 'light' | 'dark' | null {
  return theme === 'light' || theme === 'dark' ? theme : null;
}

export function applyThemeFromStore(store: AppStore, root: HTMLElement): () => void {
  const apply = (theme: Settings['theme'] | undefined) => {
    const value = themeAttribute(theme);
    if (value === null) root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', value);
  };
  apply(store.getState().settings?.theme);
  return store.subscribe((state, previous) => {
    if (state.settings?.theme !== previous.settings?.theme) apply(state.settings?.theme);
  });
}
