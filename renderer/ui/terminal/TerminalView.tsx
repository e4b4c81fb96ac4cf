/**
 * One terminal: xterm.js bound to a shell on a host. Keys go out through the session's
 * terminal registry, output comes back through it (replayed when the view mounts late), the
 * screen is fitted to the panel and the shell told its size. Ctrl+Shift+C and Ctrl+Shift+V
 * copy and paste; without clipboard access the user is told what to do instead.
 * Loaded lazily: xterm is not part of the first paint.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { appStore } from '../../store/app-store.ts';
import type { TerminalTab } from '../../store/terminals-slice.ts';
import { resolveCssColour } from '../common/css-colour.ts';
import { useResolvedTheme, type ResolvedTheme } from '../common/theme.ts';
import { useSession } from '../session-context.ts';
import { clipboardShortcut, copyToClipboard, readClipboard } from './clipboard.ts';

/** The shell learns its new size once a drag of the sash settles, not at every pixel. */
const RESIZE_SETTLE_MS = 80;

/** ANSI colours readable on each theme's background; xterm needs concrete values. */
const ansi: Record<ResolvedTheme, Partial<ITheme>> = {
  light: {
    black: '#1d2127', red: '#c62a2f', green: '#1a7f37', yellow: '#8a5a00', blue: '#1f6fd1', magenta: '#8f3fb8', cyan: '#0f7b8a', white: '#6b7280',
    brightBlack: '#545b66', brightRed: '#d9363b', brightGreen: '#228b41', brightYellow: '#9a6200', brightBlue: '#2f7fe0', brightMagenta: '#a24fcc', brightCyan: '#138a9a', brightWhite: '#9aa0a8',
  },
  dark: {
    black: '#17181b', red: '#f0625d', green: '#4ebf66', yellow: '#d8a03a', blue: '#5a9cf0', magenta: '#c58af0', cyan: '#4cc3d0', white: '#c9ccd1',
    brightBlack: '#7d838c', brightRed: '#ff7b76', brightGreen: '#6ad37f', brightYellow: '#f0bd5a', brightBlue: '#7db2f6', brightMagenta: '#d6a6f6', brightCyan: '#72d6e0', brightWhite: '#ffffff',
  },
};

function themeOf(resolved: ResolvedTheme, scope: HTMLElement): ITheme {
  return {
    ...ansi[resolved],
    background: resolveCssColour('--terminal-bg', scope),
    foreground: resolveCssColour('--terminal-fg', scope),
    cursor: resolveCssColour('--accent', scope),
    cursorAccent: resolveCssColour('--terminal-bg', scope),
    selectionBackground: resolveCssColour('--bg-selected', scope),
  };
}

export function TerminalView({ terminal, visible }: { terminal: TerminalTab; visible: boolean }) {
  const session = useSession();
  const theme = useResolvedTheme();
  const box = useRef<HTMLDivElement>(null);
  const xterm = useRef<{ term: Terminal; fit: FitAddon } | null>(null);
  const visibleNow = useRef(visible);
  visibleNow.current = visible;
  const { terminalId, title } = terminal;

  // The screen lives as long as the tab: switching tabs hides it, it does not rebuild it.
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const fontFamily = getComputedStyle(el).getPropertyValue('--font-mono').trim() || 'monospace';
    // A read-only tab (a job's output) takes no keys and shows no blinking cursor.
    const readOnly = terminal.readOnly === true;
    const term = new Terminal({ fontFamily, fontSize: 13, cursorBlink: !readOnly, disableStdin: readOnly, scrollback: 5000, theme: themeOf(theme, el) });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    xterm.current = { term, fit };

    let frame = 0;
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        // A hidden tab has no size to fit to; it fits when shown.
        if (visibleNow.current && el.clientWidth > 0 && el.clientHeight > 0) fit.fit();
      });
    };
    const observer = new ResizeObserver(refit);
    observer.observe(el);
    refit();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      term.dispose();
      xterm.current = null;
    };
    // Built once: the theme is applied by its own effect below, as rebuilding would lose the screen.
  }, []);

  useEffect(() => {
    const el = box.current;
    if (xterm.current !== null && el !== null) xterm.current.term.options.theme = themeOf(theme, el);
  }, [theme]);

  // Wire the screen to the shell: output in, keys and size out.
  useEffect(() => {
    const current = xterm.current;
    if (current === null) return;
    const { term } = current;
    const notify = appStore.getState().notify;
    const detach = session.terminals.attach(terminalId, { write: (data) => term.write(data) });
    const typed = term.onData((data) => session.terminals.input(terminalId, data));
    const binary = term.onBinary((data) => session.terminals.input(terminalId, data));
    let settle: ReturnType<typeof setTimeout> | undefined;
    const resized = term.onResize(({ cols, rows }) => {
      clearTimeout(settle);
      settle = setTimeout(() => session.terminals.resize(terminalId, cols, rows), RESIZE_SETTLE_MS);
    });
    session.terminals.resize(terminalId, term.cols, term.rows);
    term.attachCustomKeyEventHandler((event) => {
      const action = clipboardShortcut(event);
      if (action === null) return true;
      event.preventDefault();
      if (action === 'copy') {
        const text = term.getSelection();
        if (text !== '') void copyToClipboard(text).catch(() => notify('warning', `Could not copy from ${title}`, 'This window may not use the clipboard; select the text and use Copy from the browser or Ctrl+Insert.'));
      } else {
        void readClipboard()
          .then((text) => text !== '' && term.paste(text))
          .catch(() => notify('warning', `Could not paste into ${title}`, 'Allow clipboard access for this page, or paste with Shift+Insert or the browser’s Paste.'));
      }
      return false;
    });
    return () => {
      clearTimeout(settle);
      detach();
      typed.dispose();
      binary.dispose();
      resized.dispose();
      term.attachCustomKeyEventHandler(() => true);
    };
  }, [session, terminalId, title]);

  // Showing a tab fits it to the panel (hidden, it had no size) and gives it the keyboard.
  useEffect(() => {
    const current = xterm.current;
    const el = box.current;
    if (!visible || current === null || el === null) return;
    const frame = requestAnimationFrame(() => {
      if (el.clientWidth > 0 && el.clientHeight > 0) current.fit.fit();
      current.term.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [visible]);

  return (
    <div
      ref={box}
      className="terminal-view"
      data-testid="terminal-view"
      data-terminal-id={terminalId}
      data-state={terminal.state}
      // Marks where workbench shortcuts that a shell needs (Ctrl+B) are left to the shell.
      data-terminal-focus=""
      aria-label={`Terminal on ${title}`}
    />
  );
}
