/**
 * Runs the command whose shortcut was pressed, wherever focus is in the window — except the
 * few a focused terminal needs for its shell.
 */
import { useEffect, useRef } from 'react';
import type { AppCommand } from '../app/commands.ts';
import { matchesShortcut } from '../app/shortcuts.ts';
import { isMac } from './common/platform.ts';

export function useShortcuts(commands: readonly AppCommand[]): void {
  const current = useRef(commands);
  current.current = commands;

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const inTerminal = event.target instanceof Element && event.target.closest('[data-terminal-focus]') !== null;
      const command = current.current.find((c) => c.shortcuts.some((s) => matchesShortcut(event, s, isMac)));
      if (command === undefined || (inTerminal && command.yieldsToTerminal)) return;
      event.preventDefault();
      event.stopPropagation();
      // Holding Ctrl+B should not make the side bar flicker.
      if (!event.repeat) command.run();
    };
    // Capture, so a focused widget cannot swallow a workbench shortcut first.
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, []);
}
