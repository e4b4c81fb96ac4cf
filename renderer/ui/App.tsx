/** The whole window: the workbench, its shortcuts, the command palette and the join dialog. */
import { lazy, Suspense, useEffect } from 'react';
import { useAppState } from '../store/app-store.ts';
import { selectJoin } from '../store/join-slice.ts';
import { selectPaletteOpen } from '../store/palette-slice.ts';
import { useDocumentTheme } from './common/theme.ts';
import { useCommands } from './use-commands.ts';
import { useShortcuts } from './use-shortcuts.ts';
import { Workbench } from './workbench/Workbench.tsx';

// The palette (and cmdk with it) is not needed to show the cluster: it loads after the
// first paint, so the window is ready sooner and opening the palette is still instant.
const loadPalette = () => import('./CommandPalette.tsx');
const CommandPalette = lazy(() => loadPalette().then((m) => ({ default: m.CommandPalette })));
const JoinClusterDialog = lazy(() => import('./setup/JoinClusterDialog.tsx').then((m) => ({ default: m.JoinClusterDialog })));

export function App() {
  useDocumentTheme();
  const commands = useCommands();
  useShortcuts(commands);
  const paletteOpen = useAppState(selectPaletteOpen);
  const joinOpen = useAppState((s) => selectJoin(s) !== null);
  useEffect(() => {
    const idle = setTimeout(() => void loadPalette(), 1_000);
    return () => clearTimeout(idle);
  }, []);
  return (
    <>
      <Workbench />
      {paletteOpen && (
        <Suspense fallback={null}>
          <CommandPalette commands={commands} />
        </Suspense>
      )}
      {joinOpen && (
        <Suspense fallback={null}>
          <JoinClusterDialog />
        </Suspense>
      )}
    </>
  );
}
