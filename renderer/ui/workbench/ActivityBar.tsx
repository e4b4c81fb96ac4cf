/**
 * The column of section icons. One tab stop: arrow keys move focus between sections (roving
 * tabindex), Enter or Space opens one; clicking the open section collapses the side bar.
 */
import { Command as CommandIcon } from 'lucide-react';
import { useRef, useState, type KeyboardEvent } from 'react';
import { paletteShortcut, sectionShortcut } from '../../app/commands.ts';
import { sections } from '../../app/sections.ts';
import { ariaShortcut, formatShortcut } from '../../app/shortcuts.ts';
import { useShallow } from 'zustand/react/shallow';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectActiveView, selectSidebar } from '../../store/layout-slice.ts';
import { isMac } from '../common/platform.ts';
import { sectionIcons } from '../common/section-icons.ts';

export function ActivityBar() {
  const active = useAppState(selectActiveView);
  const sidebar = useAppState(useShallow(selectSidebar));
  const activeIndex = Math.max(0, sections.findIndex((s) => s.id === active));
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const tabStop = focusIndex ?? activeIndex;

  const moveFocus = (index: number) => {
    const next = (index + sections.length) % sections.length;
    setFocusIndex(next);
    buttons.current[next]?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveFocus(tabStop + 1),
      ArrowUp: () => moveFocus(tabStop - 1),
      Home: () => moveFocus(0),
      End: () => moveFocus(sections.length - 1),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  return (
    <nav className="activity-bar" aria-label="Sections">
      <div role="tablist" aria-orientation="vertical" aria-label="Sections" className="activity-tabs" onKeyDown={onKeyDown}>
        {sections.map((section, index) => {
          const Icon = sectionIcons[section.id];
          const shortcut = sectionShortcut(index);
          const selected = section.id === active;
          return (
            <button
              key={section.id}
              ref={(el) => {
                buttons.current[index] = el;
              }}
              type="button"
              role="tab"
              id={`activity-${section.id}`}
              className="activity-item"
              aria-selected={selected}
              aria-controls="main-area"
              aria-label={section.title}
              aria-keyshortcuts={ariaShortcut(shortcut, isMac)}
              data-tooltip={`${section.title} (${formatShortcut(shortcut, isMac)})`}
              data-active={selected && sidebar.visible ? 'true' : undefined}
              tabIndex={index === tabStop ? 0 : -1}
              onFocus={() => setFocusIndex(index)}
              onBlur={() => setFocusIndex(null)}
              onClick={() => appStore.getState().toggleView(section.id)}
            >
              <Icon size={22} strokeWidth={1.6} aria-hidden="true" />
            </button>
          );
        })}
      </div>
      <button
        type="button"
        className="activity-item activity-palette"
        aria-label="Show all commands"
        aria-keyshortcuts={ariaShortcut(paletteShortcut, isMac)}
        data-tooltip={`Show all commands (${formatShortcut(paletteShortcut, isMac)})`}
        onClick={() => appStore.getState().openPalette()}
      >
        <CommandIcon size={20} strokeWidth={1.6} aria-hidden="true" />
      </button>
    </nav>
  );
}
