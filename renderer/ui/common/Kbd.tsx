/** A keyboard shortcut as the platform writes it. */
import { formatShortcut, type Shortcut } from '../../app/shortcuts.ts';
import { isMac } from './platform.ts';

export function Kbd({ shortcut }: { shortcut: Shortcut }) {
  return <kbd className="kbd">{formatShortcut(shortcut, isMac)}</kbd>;
}
