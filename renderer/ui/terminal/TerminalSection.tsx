/** The Terminal section: pick a host of the active cluster to open a shell on it in the panel. */
import { SquareTerminal } from 'lucide-react';
import { panelShortcut } from '../../app/commands.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectHosts } from '../../store/cluster-slice.ts';
import { selectActiveClusterName } from '../../store/clusters-slice.ts';
import { selectAppInfo } from '../../store/connection-slice.ts';
import { Kbd } from '../common/Kbd.tsx';
import { useSession } from '../session-context.ts';

export function TerminalSection() {
  const session = useSession();
  const hosts = useAppState(selectHosts);
  const cluster = useAppState(selectActiveClusterName);
  const ssh = useAppState((s) => s.status?.kind === 'ssh');
  const desktopApp = useAppState((s) => selectAppInfo(s)?.mode === 'electron');
  return (
    <div className="empty-state" data-testid="terminal-section">
      <SquareTerminal className="empty-icon" size={40} strokeWidth={1.25} aria-hidden="true" />
      <h1>Terminals</h1>
      <p>Open a shell on a host of {cluster === null ? 'the cluster' : `cluster ${cluster}`}. Terminals run in the panel below, several at once.</p>
      <p className="empty-note">
        <Kbd shortcut={panelShortcut} /> shows or hides the panel; Ctrl+Shift+C and Ctrl+Shift+V copy and paste inside a terminal.
      </p>
      {desktopApp ? (
        <p>
          <button type="button" className="button" data-testid="terminal-open-local" onClick={() => void session.terminals.openLocal()}>
            <SquareTerminal size={14} aria-hidden="true" /> Open a terminal on this machine
          </button>
        </p>
      ) : (
        <p className="empty-note" data-testid="terminal-local-web">
          Terminals on this machine open in the Hopsdesk desktop app only: this window is a web page, and a page never gets a shell.
        </p>
      )}
      {!ssh ? (
        <p data-testid="terminal-local">
          Cluster {cluster ?? 'local'} is this machine: use a terminal of your own here. Terminals open on the hosts of SSH clusters.
        </p>
      ) : hosts.length === 0 ? (
        <p>No hosts to open a terminal on yet.</p>
      ) : (
        <ul className="terminal-hosts">
          {hosts.map((host) => (
            <li key={host.hostId}>
              <button type="button" className="button" data-testid="terminal-open-host" data-host-id={host.hostId} onClick={() => void session.terminals.open(host.hostId)}>
                <SquareTerminal size={14} aria-hidden="true" /> {host.hostId}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
