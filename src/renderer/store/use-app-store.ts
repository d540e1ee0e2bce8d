// React's view of the one store: components read atomic selectors (useShallow when a selector builds an object).
import { useStore } from 'zustand';
import type { AppState, AppStore } from './app-state';

let appStore: AppStore | null = null;

/** Called once by main.tsx, before the first render. */
export function provideAppStore(store: AppStore): void {
  appStore = store;
}

export function getAppStore(): AppStore {
  if (appStore === null) throw new Error('the app store is not provided yet (main.tsx does it before rendering)');
  return appStore;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(getAppStore(), selector);
}
