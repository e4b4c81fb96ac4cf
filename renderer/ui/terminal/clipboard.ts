/**
 * The terminal's copy and paste keys and the browser clipboard behind them. The clipboard
 * API may be missing (an insecure origin) or refused (no permission); copying falls back to
 * the browser's copy command, pasting cannot, and callers say so.
 */

export interface ClipboardKey {
  type: string;
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** Ctrl+Shift+C copies and Ctrl+Shift+V pastes, as in Linux terminals; plain Ctrl+C stays the shell's. */
export function clipboardShortcut(event: ClipboardKey): 'copy' | 'paste' | null {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'c') return 'copy';
  if (key === 'v') return 'paste';
  return null;
}

/**
 * Copies with the clipboard API, else (no API, or permission refused, as Electron's guards
 * do) through a selection and the browser's own copy, which needs no permission.
 */
export async function copyToClipboard(text: string): Promise<void> {
  try {
    if (navigator.clipboard?.writeText !== undefined) {
      await navigator.clipboard.writeText(text);
      return;
    }
  } catch {
    // Fall back to the copy command below.
  }
  if (!copyThroughSelection(text)) throw new Error('The clipboard refused the text.');
}

function copyThroughSelection(text: string): boolean {
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.readOnly = true;
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } finally {
    area.remove();
    returnTo?.focus({ preventScroll: true });
  }
}

export async function readClipboard(): Promise<string> {
  if (navigator.clipboard?.readText === undefined) throw new Error('No clipboard API in this window.');
  return navigator.clipboard.readText();
}
