/**
 * The bottom panel: the notifications log and one tab per terminal. The tabs are one tab
 * stop (arrows move, Delete closes a terminal, middle-click too); every terminal stays
 * mounted while hidden, so switching tabs keeps its screen and scrollback.
 */
import { ListX, LoaderCircle, SquareTerminal, X } from 'lucide-react';
import { lazy, Suspense, useRef, useState, type KeyboardEvent } from 'react';
import { panelShortcut } from '../../app/commands.ts';
import { formatShortcut } from '../../app/shortcuts.ts';
import { exitLine } from '../../app/terminal-registry.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectNotices, selectUnreadNotices } from '../../store/notifications-slice.ts';
import { selectPanelTab, selectTerminals, type PanelTab, type TerminalTab } from '../../store/terminals-slice.ts';
import { isMac } from '../common/platform.ts';
import { useSession } from '../session-context.ts';
import { NotificationsLog } from './NotificationsLog.tsx';

// xterm is sizeable and only needed once a terminal opens.
const TerminalView = lazy(() => import('../terminal/TerminalView.tsx').then((m) => ({ default: m.TerminalView })));

const LOG = 'notifications';
const tabIdOf = (tab: PanelTab) => (tab === LOG ? 'panel-tab-log' : `panel-tab-${tab.terminalId}`);

export function Panel({ height }: { height: number }) {
  const session = useSession();
  const terminals = useAppState(selectTerminals);
  const tab = useAppState(selectPanelTab);
  const notices = useAppState(selectNotices);
  const unread = useAppState(selectUnreadNotices);
  const shownTerminal = tab === LOG ? null : (terminals.find((t) => t.terminalId === tab.terminalId) ?? null);
  const logShown = shownTerminal === null;
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const tabs = useRef(new Map<string, HTMLButtonElement>());

  const order: PanelTab[] = [LOG, ...terminals.map((t) => ({ terminalId: t.terminalId }))];
  const keyOf = (t: PanelTab) => (t === LOG ? LOG : t.terminalId);
  const shownKey = logShown ? LOG : shownTerminal.terminalId;
  const tabStop = focusKey !== null && order.some((t) => keyOf(t) === focusKey) ? focusKey : shownKey;

  const show = (next: PanelTab) => {
    appStore.getState().showPanelTab(next);
    setFocusKey(keyOf(next));
    tabs.current.get(keyOf(next))?.focus();
  };
  const closeTerminal = (terminal: TerminalTab) => session.terminals.close(terminal.terminalId);

  const onKeyDown = (event: KeyboardEvent) => {
    const index = order.findIndex((t) => keyOf(t) === tabStop);
    const move = (to: number) => show(order[(to + order.length) % order.length]!);
    const terminal = terminals.find((t) => t.terminalId === tabStop);
    const keys: Record<string, () => void> = {
      ArrowRight: () => move(index + 1),
      ArrowLeft: () => move(index - 1),
      Home: () => move(0),
      End: () => move(order.length - 1),
      Delete: () => terminal && closeTerminal(terminal),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  const register = (key: string) => (el: HTMLButtonElement | null) => {
    if (el) tabs.current.set(key, el);
    else tabs.current.delete(key);
  };

  return (
    <section id="panel" className="panel" style={{ height }} aria-label="Panel" data-testid="panel">
      <header className="panel-header">
        <div role="tablist" aria-label="Panel" className="panel-tabs" onKeyDown={onKeyDown}>
          <button
            ref={register(LOG)}
            type="button"
            role="tab"
            id={tabIdOf(LOG)}
            className="panel-tab"
            aria-selected={logShown}
            aria-controls="panel-body-log"
            tabIndex={tabStop === LOG ? 0 : -1}
            onFocus={() => setFocusKey(LOG)}
            onClick={() => show(LOG)}
          >
            Notifications <span className="panel-count num">{unread > 0 && !logShown ? `${unread} new` : notices.length}</span>
          </button>
          {terminals.map((terminal) => (
            <div
              key={terminal.tabKey}
              className="panel-tab-wrap"
              data-testid="terminal-tab"
              data-terminal-id={terminal.terminalId}
              data-state={terminal.state}
              aria-selected={terminal === shownTerminal}
              onAuxClick={(event) => event.button === 1 && closeTerminal(terminal)}
            >
              <button
                ref={register(terminal.terminalId)}
                type="button"
                role="tab"
                id={tabIdOf({ terminalId: terminal.terminalId })}
                className="panel-tab"
                aria-selected={terminal === shownTerminal}
                aria-controls={`panel-body-${terminal.tabKey}`}
                aria-keyshortcuts="Delete"
                tabIndex={tabStop === terminal.terminalId ? 0 : -1}
                onFocus={() => setFocusKey(terminal.terminalId)}
                onClick={() => show({ terminalId: terminal.terminalId })}
              >
                {terminal.state === 'opening' ? <LoaderCircle className="spin" size={13} aria-hidden="true" /> : <SquareTerminal size={13} aria-hidden="true" />}
                <span className="panel-tab-title">{terminal.title}</span>
                {terminal.state === 'exited' && <span className="panel-tab-exit">{exitLine(terminal.exitCode)}</span>}
              </button>
              <button
                type="button"
                className="tab-close"
                tabIndex={-1}
                aria-label={`Close terminal ${terminal.title}`}
                title="Close terminal (Delete on the tab; middle-click)"
                onClick={() => closeTerminal(terminal)}
              >
                <X size={12} aria-hidden="true" />
              </button>
            </div>
          ))}
        </div>
        <div className="panel-actions">
          {logShown ? (
            <button
              type="button"
              className="icon-button"
              aria-label="Clear notifications"
              title="Clear notifications"
              disabled={notices.length === 0}
              onClick={() => appStore.getState().clearNotices()}
            >
              <ListX size={14} aria-hidden="true" />
            </button>
          ) : (
            <button
              type="button"
              className="icon-button"
              aria-label={`Close terminal ${shownTerminal.title}`}
              title="Close this terminal"
              onClick={() => closeTerminal(shownTerminal)}
            >
              <SquareTerminal size={14} aria-hidden="true" />
              <X size={10} aria-hidden="true" className="icon-badge" />
            </button>
          )}
          <button
            type="button"
            className="icon-button"
            aria-label="Close panel"
            title={`Close panel (${formatShortcut(panelShortcut, isMac)})`}
            onClick={() => appStore.getState().setPanelVisible(false)}
          >
            <X size={14} aria-hidden="true" />
          </button>
        </div>
      </header>
      <div id="panel-body-log" role="tabpanel" aria-labelledby={tabIdOf(LOG)} className="panel-body" hidden={!logShown}>
        {logShown && <NotificationsLog />}
      </div>
      {terminals.map((terminal) => (
        <div
          key={terminal.tabKey}
          id={`panel-body-${terminal.tabKey}`}
          role="tabpanel"
          aria-labelledby={tabIdOf({ terminalId: terminal.terminalId })}
          className="panel-body terminal-panel"
          hidden={terminal !== shownTerminal}
        >
          {terminal.state === 'opening' ? (
            <p className="panel-empty">
              <LoaderCircle className="spin" size={13} aria-hidden="true" /> Opening a shell on {terminal.title}…
            </p>
          ) : (
            <Suspense fallback={<p className="panel-empty">Loading the terminal…</p>}>
              <TerminalView terminal={terminal} visible={terminal === shownTerminal} />
            </Suspense>
          )}
        </div>
      ))}
    </section>
  );
}
