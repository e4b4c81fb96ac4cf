/**
 * The context menu of a row (right click, the Menu key or Shift+F10): open, download,
 * rename, remove, new folder, and make available offline. A WAI-ARIA
 * menu: arrows move, Enter picks, Escape or a click elsewhere closes it.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { FileStat } from '../../../protocol/fs.ts';

export interface MenuState {
  entry: FileStat;
  x: number;
  y: number;
}

export interface EntryMenuProps {
  menu: MenuState;
  atProject: boolean;
  onClose(): void;
  onOpen(entry: FileStat): void;
  onDownload(entry: FileStat): void;
  onRename(entry: FileStat): void;
  onRemove(entry: FileStat): void;
  onNewFolder(): void;
  onOffline(entry: FileStat): void;
}

export function EntryMenu({ menu, atProject, onClose, ...on }: EntryMenuProps) {
  const list = useRef<HTMLUListElement>(null);
  const { entry } = menu;
  const items: Array<{ label: string; shortcut?: string; run(): void }> = [
    { label: entry.type === 'dir' ? 'Open' : 'Preview', shortcut: 'Enter', run: () => on.onOpen(entry) },
    ...(entry.type === 'file' ? [{ label: 'Download', run: () => on.onDownload(entry) }] : []),
    ...(entry.sharedFrom === undefined
      ? [
          { label: 'Rename…', shortcut: 'F2', run: () => on.onRename(entry) },
          { label: 'Remove…', shortcut: 'Delete', run: () => on.onRemove(entry) },
        ]
      : []),
    { label: atProject ? 'New dataset…' : 'New folder…', run: on.onNewFolder },
    { label: 'Make available offline…', run: () => on.onOffline(entry) },
  ];

  useEffect(() => {
    list.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const away = (event: MouseEvent) => {
      if (!list.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [onClose]);

  const onKeyDown = (event: KeyboardEvent) => {
    const all = [...(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const focus = (i: number) => all[(i + all.length) % all.length]?.focus();
    const keys: Record<string, () => void> = {
      ArrowDown: () => focus(at + 1),
      ArrowUp: () => focus(at - 1),
      Home: () => focus(0),
      End: () => focus(all.length - 1),
      Escape: onClose,
      Tab: onClose,
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  return (
    <ul
      ref={list}
      role="menu"
      aria-label={`Actions on ${entry.name}`}
      className="entry-menu"
      style={{ left: Math.min(menu.x, window.innerWidth - 220), top: Math.min(menu.y, window.innerHeight - 220) }}
      onKeyDown={onKeyDown}
      data-testid="entry-menu"
    >
      {items.map((item) => (
        <li
          key={item.label}
          role="menuitem"
          tabIndex={-1}
          className="entry-menu-item"
          onClick={() => {
            onClose();
            item.run();
          }}
          onKeyDown={(event) => {
            if (event.key !== 'Enter' && event.key !== ' ') return;
            event.preventDefault();
            onClose();
            item.run();
          }}
        >
          <span>{item.label}</span>
          {item.shortcut !== undefined && <span className="muted">{item.shortcut}</span>}
        </li>
      ))}
    </ul>
  );
}
