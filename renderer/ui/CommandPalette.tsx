/**
 * The command palette: every command with its shortcut, filtered as you type. A modal dialog:
 * focus stays inside while open, Escape or a click outside closes it, and focus returns to
 * where it was.
 */
import { Command, defaultFilter } from 'cmdk';
import { Check } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { AppCommand, CommandCategory } from '../app/commands.ts';
import { appStore, useAppState } from '../store/app-store.ts';
import { selectPaletteOpen } from '../store/palette-slice.ts';
import { Kbd } from './common/Kbd.tsx';

const groups: ReadonlyArray<{ category: CommandCategory; heading: string }> = [
  { category: 'View', heading: 'View' },
  { category: 'Cluster', heading: 'Cluster' },
  { category: 'Project', heading: 'Projects' },
  { category: 'Host', heading: 'Hosts' },
  { category: 'Theme', heading: 'Theme' },
];

const keywordsOf = (command: AppCommand) => [command.title, command.category, ...command.keywords];

/**
 * The groups in the order of their best match, so Enter runs what matches best. cmdk sorts
 * the items inside a group but, in this version, not the groups themselves.
 */
function groupsInMatchOrder(commands: readonly AppCommand[], search: string) {
  if (search.trim() === '') return groups;
  const best = (category: CommandCategory) =>
    Math.max(0, ...commands.filter((c) => c.category === category).map((c) => defaultFilter(c.id, search, keywordsOf(c))));
  return [...groups].sort((a, b) => best(b.category) - best(a.category));
}

export function CommandPalette({ commands }: { commands: readonly AppCommand[] }) {
  const open = useAppState(selectPaletteOpen);
  return open ? <PaletteDialog commands={commands} /> : null;
}

function PaletteDialog({ commands }: { commands: readonly AppCommand[] }) {
  const input = useRef<HTMLInputElement>(null);
  // Captured on open, before the input takes focus.
  const returnTo = useRef(document.activeElement instanceof HTMLElement ? document.activeElement : null);
  const close = () => appStore.getState().closePalette();
  const [search, setSearch] = useState('');
  const ordered = useMemo(() => groupsInMatchOrder(commands, search), [commands, search]);

  useEffect(() => {
    input.current?.focus();
    const previous = returnTo.current;
    return () => {
      if (previous?.isConnected) previous.focus({ preventScroll: true });
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
    // The input is the dialog's only tab stop; keep focus from leaving the modal.
    if (event.key === 'Tab') event.preventDefault();
  };

  const run = (command: AppCommand) => {
    close();
    command.run();
  };

  return (
    <div className="palette-backdrop" onMouseDown={(event) => event.target === event.currentTarget && close()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="command-palette" onKeyDown={onKeyDown}>
        <Command label="Commands" loop>
          <Command.Input ref={input} value={search} onValueChange={setSearch} className="palette-input" placeholder="Type a command" aria-label="Command" />
          <Command.List className="palette-list">
            <Command.Empty className="palette-empty">No command matches.</Command.Empty>
            {ordered.map(({ category, heading }) => {
              const inGroup = commands.filter((c) => c.category === category);
              if (inGroup.length === 0) return null;
              return (
                <Command.Group key={category} heading={heading} className="palette-group">
                  {inGroup.map((command) => (
                    <Command.Item
                      key={command.id}
                      value={command.id}
                      keywords={keywordsOf(command)}
                      onSelect={() => run(command)}
                      className="palette-item"
                      data-command-id={command.id}
                    >
                      <span className="palette-title">{command.title}</span>
                      {command.checked && (
                        <span className="palette-checked" aria-label="current">
                          <Check size={13} aria-hidden="true" /> current
                        </span>
                      )}
                      <span className="palette-keys">{command.shortcuts[0] && <Kbd shortcut={command.shortcuts[0]} />}</span>
                    </Command.Item>
                  ))}
                </Command.Group>
              );
            })}
          </Command.List>
        </Command>
      </div>
    </div>
  );
}
