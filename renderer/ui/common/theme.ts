/**
 * The theme in force: the user's setting, or the OS preference when set to "system". It is
 * written to `<html data-theme>` so the CSS tokens and the charts agree.
 */
import { useLayoutEffect, useSyncExternalStore } from 'react';
import { selectTheme } from '../../store/settings-slice.ts';
import { useAppState } from '../../store/app-store.ts';

export type ResolvedTheme = 'light' | 'dark';

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

function subscribeToOs(listener: () => void): () => void {
  darkQuery.addEventListener('change', listener);
  return () => darkQuery.removeEventListener('change', listener);
}

export function useResolvedTheme(): ResolvedTheme {
  const theme = useAppState(selectTheme);
  const osDark = useSyncExternalStore(subscribeToOs, () => darkQuery.matches);
  if (theme === 'system') return osDark ? 'dark' : 'light';
  return theme;
}

/**
 * Keeps `<html data-theme>` in step with the resolved theme. A layout effect, so the new
 * tokens are in force before any chart's effect reads them back for its canvas.
 */
export function useDocumentTheme(): ResolvedTheme {
  const resolved = useResolvedTheme();
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return resolved;
}
