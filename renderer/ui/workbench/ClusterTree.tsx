/**
 * The Cluster section's tree: the cluster with its hosts. A WAI-ARIA tree with one tab stop;
 * arrows move, Left/Right fold, Enter or a click opens the host's card in the main area.
 */
import { ChevronDown, ChevronRight, Network } from 'lucide-react';
import { useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ClusterHost } from '../../../protocol/host.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectClusterSummary, selectHostFocus, selectHosts, selectLoadPhase } from '../../store/cluster-slice.ts';
import { hostStateOf } from '../../store/host-rows.ts';
import { hostStateLook } from '../common/host-state-look.ts';
import { useSession } from '../session-context.ts';

const ROOT = '__cluster__';

export function ClusterTree() {
  const session = useSession();
  const hosts = useAppState(selectHosts);
  const summary = useAppState(useShallow(selectClusterSummary));
  const focus = useAppState(selectHostFocus);
  const phase = useAppState(selectLoadPhase);
  const [expanded, setExpanded] = useState(true);
  const [active, setActive] = useState<string>(ROOT);
  const items = useRef(new Map<string, HTMLLIElement>());

  if (phase !== 'ready' || summary.name === null) {
    return <p className="side-bar-note">{phase === 'error' ? 'The cluster could not be loaded.' : 'Loading the cluster…'}</p>;
  }

  const visible = [ROOT, ...(expanded ? hosts.map((h) => h.hostId) : [])];
  const tabStop = visible.includes(active) ? active : ROOT;

  const moveTo = (id: string | undefined) => {
    if (id === undefined) return;
    setActive(id);
    items.current.get(id)?.focus();
  };

  const openHost = (host: ClusterHost) => {
    appStore.getState().showView('cluster');
    appStore.getState().focusHost(host.hostId);
    session.rememberHost(host.hostId);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = visible.indexOf(tabStop);
    const host = hosts.find((h) => h.hostId === tabStop);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(visible[index + 1]),
      ArrowUp: () => moveTo(visible[index - 1]),
      Home: () => moveTo(visible[0]),
      End: () => moveTo(visible.at(-1)),
      ArrowRight: () => (tabStop === ROOT ? (expanded ? moveTo(visible[1]) : setExpanded(true)) : undefined),
      ArrowLeft: () => (tabStop === ROOT ? setExpanded(false) : moveTo(ROOT)),
      Enter: () => (host ? openHost(host) : setExpanded(!expanded)),
      ' ': () => (host ? openHost(host) : setExpanded(!expanded)),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  const register = (id: string) => (el: HTMLLIElement | null) => {
    if (el) items.current.set(id, el);
    else items.current.delete(id);
  };

  return (
    <ul role="tree" aria-label="Cluster" className="tree" onKeyDown={onKeyDown}>
      <li
        ref={register(ROOT)}
        role="treeitem"
        aria-level={1}
        aria-expanded={expanded}
        aria-selected={false}
        tabIndex={tabStop === ROOT ? 0 : -1}
        className="tree-item"
        onFocus={() => setActive(ROOT)}
      >
        <div className="tree-row" onClick={() => setExpanded(!expanded)}>
          {expanded ? <ChevronDown size={14} aria-hidden="true" /> : <ChevronRight size={14} aria-hidden="true" />}
          <Network size={14} aria-hidden="true" />
          <span className="tree-label">{summary.name}</span>
          <span className="tree-meta num">
            {summary.hostsHealthy}/{summary.hostsTotal}
          </span>
        </div>
        {expanded && (
          <ul role="group">
            {hosts.map((host) => {
              const look = hostStateLook(hostStateOf(host, null, null, null), host.state);
              const Icon = look.icon;
              return (
                <li
                  key={host.hostId}
                  ref={register(host.hostId)}
                  role="treeitem"
                  aria-level={2}
                  aria-selected={focus?.hostId === host.hostId}
                  aria-label={`${host.hostId}, ${look.word.toLowerCase()}`}
                  tabIndex={tabStop === host.hostId ? 0 : -1}
                  className="tree-item"
                  data-testid="tree-host"
                  data-host-id={host.hostId}
                  onFocus={(event) => {
                    event.stopPropagation();
                    setActive(host.hostId);
                  }}
                >
                  <div className="tree-row tree-row-child" onClick={() => openHost(host)}>
                    <span className="state-icon" data-tone={look.tone} title={look.word}>
                      <Icon size={14} aria-hidden="true" />
                    </span>
                    <span className="tree-label">{host.hostId}</span>
                    <span className="tree-meta num">
                      {host.inventory.gpus.length > 0 ? `${host.inventory.gpus.length} GPU${host.inventory.gpus.length === 1 ? '' : 's'}` : ''}
                    </span>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </li>
    </ul>
  );
}
