/** The whole window: the workbench, its shortcuts and the command palette. */
import { CommandPalette } from './CommandPalette.tsx';
import { useDocumentTheme } from './common/theme.ts';
import { useCommands } from './use-commands.ts';
import { useShortcuts } from './use-shortcuts.ts';
import { Workbench } from './workbench/Workbench.tsx';

export function App() {
  useDocumentTheme();
  const commands = useCommands();
  useShortcuts(commands);
  return (
    <>
      <Workbench />
      <CommandPalette commands={commands} />
    </>
  );
}
