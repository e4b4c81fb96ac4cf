/**
 * The context menu of a row (right click, the Menu key or Shift+F10): open, download,
 * rename, remove, new folder, make available offline and remove the offline copy; what
 * needs the cluster is off (with why) while it cannot be reached. A WAI-ARIA
 * menu: arrows move, Enter picks, Escape or a click elsewhere closes it.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { FileStat } from '../../../protocol/fs.ts';
import { OFFLINE_ACTION_TITLE } from '../../store/datasets-offline.ts';
import { opensInEditor } from '../../store/editor-tabs.ts';

export interface MenuState {
  entry: FileStat;
  x: number;
  y: number;
}

export interface EntryMenuProps {
  menu: MenuState;
  atProject: boolean;
  /** The explorer shows the offline copies: actions on the cluster are off. */
  offline: boolean;
  /** The entry is in an offline copy. */
  hasCopy: boolean;
  onClose(): void;
  onOpen(entry: FileStat): void;
  /** Offered on text files the editor opens. */
  onOpenInEditor?(entry: FileStat): void;
  onDownload(entry: FileStat): void;
  onRename(entry: FileStat): void;
  onRemove(entry: FileStat): void;
  onNewFolder(): void;
  onOffline(entry: FileStat): void;
  onRemoveOffline(entry: FileStat): void;
}

export function EntryMenu({ menu, atProject, offline, hasCopy, onClose, ...on }: EntryMenuProps) {
  const list = useRef<HTMLUListElement>(null);
  const { entry } = menu;
  const needsCluster = offline ? OFFLINE_ACTION_TITLE : undefined;
  const items: Array<{ label: string; shortcut?: string; run(): void; disabled?: string | undefined }> = [
    { label: entry.type === 'dir' ? 'Open' : 'Preview', shortcut: 'Enter', run: () => on.onOpen(entry) },
    ...(entry.type === 'file' && on.onOpenInEditor !== undefined && opensInEditor(entry.name)
      ? [{ label: 'Open in editor', run: () => on.onOpenInEditor!(entry), disabled: needsCluster }]
      : []),
    ...(entry.type === 'file' ? [{ label: 'Download', run: () => on.onDownload(entry), disabled: needsCluster }] : []),
    ...(entry.sharedFrom === undefined
      ? [
          { label: 'Rename…', shortcut: 'F2', run: () => on.onRename(entry), disabled: needsCluster },
          { label: 'Remove…', shortcut: 'Delete', run: () => on.onRemove(entry), disabled: needsCluster },
        ]
      : []),
    { label: atProject ? 'New dataset…' : 'New folder…', run: on.onNewFolder, disabled: needsCluster },
    { label: 'Make available offline…', run: () => on.onOffline(entry), disabled: needsCluster },
    ...(hasCopy ? [{ label: 'Remove offline copy…', run: () => on.onRemoveOffline(entry) }] : []),
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
          aria-disabled={item.disabled !== undefined}
          title={item.disabled}
          onClick={() => {
            if (item.disabled !== undefined) return;
            onClose();
            item.run();
          }}
          onKeyDown={(event) => {
            if (event.key !== 'Enter' && event.key !== ' ') return;
            event.preventDefault();
            if (item.disabled !== undefined) return;
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
