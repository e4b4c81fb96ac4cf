/**
 * Mirrors the first load onto `#root[data-app-state]` (loading, ready, error), which
 * end-to-end tests wait on instead of sleeping.
 */
import type { AppStore } from '../store/app-state.ts';

/** Keeps `element`'s `data-app-state` equal to the load phase; returns the function that stops it. */
export function mirrorReadiness(store: AppStore, element: { dataset: DOMStringMap }): () => void {
  element.dataset.appState = store.getState().loadPhase;
  return store.subscribe((next, previous) => {
    if (next.loadPhase !== previous.loadPhase) element.dataset.appState = next.loadPhase;
  });
}
