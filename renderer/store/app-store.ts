/** The one store instance of this window, bound for React components. */
import { useStore } from 'zustand';
import { createAppStore, type AppState } from './app-state.ts';

export const appStore = createAppStore();

/** Reads the store through a selector; wrap derived objects in `useShallow`. */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}
