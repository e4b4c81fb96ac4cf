/**
 * Keyboard shortcuts written once and shown, matched and announced the same way everywhere.
 * "mod" is Cmd on macOS and Ctrl elsewhere, as in VS Code.
 */
export interface Shortcut {
  /** `KeyboardEvent.key`, compared case-insensitively: "b", "1", "F1". */
  key: string;
  mod?: boolean;
  shift?: boolean;
}

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether `press` is `shortcut` exactly: no extra modifier, and Alt never. */
export function matchesShortcut(press: KeyPress, shortcut: Shortcut, isMac: boolean): boolean {
  const mod = isMac ? press.metaKey : press.ctrlKey;
  const otherMod = isMac ? press.ctrlKey : press.metaKey;
  return (
    press.key.toLowerCase() === shortcut.key.toLowerCase() &&
    mod === (shortcut.mod ?? false) &&
    press.shiftKey === (shortcut.shift ?? false) &&
    !press.altKey &&
    !otherMod
  );
}

const keyLabel = (key: string) => (key.length === 1 ? key.toUpperCase() : key);

/** "Ctrl+Shift+P" or "⇧⌘P", as each platform writes it. */
export function formatShortcut(shortcut: Shortcut, isMac: boolean): string {
  if (isMac) return `${shortcut.shift ? '⇧' : ''}${shortcut.mod ? '⌘' : ''}${keyLabel(shortcut.key)}`;
  return [shortcut.mod ? 'Ctrl' : '', shortcut.shift ? 'Shift' : '', keyLabel(shortcut.key)].filter(Boolean).join('+');
}

/** The `aria-keyshortcuts` spelling: "Control+Shift+P", "Meta+1". */
export function ariaShortcut(shortcut: Shortcut, isMac: boolean): string {
  return [shortcut.mod ? (isMac ? 'Meta' : 'Control') : '', shortcut.shift ? 'Shift' : '', keyLabel(shortcut.key)]
    .filter(Boolean)
    .join('+');
}
