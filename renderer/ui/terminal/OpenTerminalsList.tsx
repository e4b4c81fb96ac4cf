/** The Terminal section's side bar: the open terminals; a click shows one in the panel. */
import { SquareTerminal } from 'lucide-react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectShownTerminalId, selectTerminals } from '../../store/terminals-slice.ts';
import { exitLine } from '../../app/terminal-registry.ts';

export function OpenTerminalsList() {
  const terminals = useAppState(selectTerminals);
  const shown = useAppState(selectShownTerminalId);
  if (terminals.length === 0) return <p className="side-bar-note">No terminals open. Pick a host to open one.</p>;
  return (
    <ul className="side-bar-list" aria-label="Open terminals">
      {terminals.map((t) => (
        <li key={t.tabKey}>
          <button
            type="button"
            className="side-bar-list-item"
            aria-current={t.terminalId === shown ? 'true' : undefined}
            onClick={() => appStore.getState().showPanelTab({ terminalId: t.terminalId })}
          >
            <SquareTerminal size={14} aria-hidden="true" />
            <span className="tree-label">{t.title}</span>
            <span className="tree-meta">{t.state === 'exited' ? exitLine(t.exitCode) : t.state === 'opening' ? 'opening…' : ''}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
