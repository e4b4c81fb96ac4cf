/**
 * The clusters of the workspace, the active one marked: a listbox with one tab stop where
 * arrows move, Enter or a click switches; the buttons under it add an SSH cluster or join
 * one with an invite.
 */
import { Check, LoaderCircle, Plus, Ticket } from 'lucide-react';
import { useRef, useState, type KeyboardEvent } from 'react';
import { useAppState } from '../../store/app-store.ts';
import { selectClusters, selectSwitchingTo } from '../../store/clusters-slice.ts';
import { connectionLook } from '../common/connection-look.ts';
import { useSession } from '../session-context.ts';
import { openNewClusterWizard } from '../setup/open-wizard.ts';
import type { ClusterSummary } from '../../../protocol/desktop-api.ts';
import type { StatusConnectionState } from '../../store/connection-slice.ts';

/** The side bar's word for a cluster's own connection, as the status bar would say it. */
function connectionState(cluster: ClusterSummary): StatusConnectionState {
  const state = cluster.connection.state;
  if (state === 'connected') return cluster.kind === 'local' ? 'local' : 'connected';
  return state;
}

export function ClusterList() {
  const session = useSession();
  const clusters = useAppState(selectClusters);
  const switching = useAppState(selectSwitchingTo);
  const [focusName, setFocusName] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const activeName = clusters.find((c) => c.active)?.name ?? clusters[0]?.name ?? null;
  const tabStop = focusName !== null && clusters.some((c) => c.name === focusName) ? focusName : activeName;

  const moveTo = (index: number) => {
    const cluster = clusters[(index + clusters.length) % clusters.length];
    if (cluster === undefined) return;
    setFocusName(cluster.name);
    items.current.get(cluster.name)?.focus();
  };

  const use = (cluster: ClusterSummary) => {
    if (!cluster.active && switching === null) void session.useCluster(cluster.name);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = clusters.findIndex((c) => c.name === tabStop);
    const cluster = clusters[index];
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(index + 1),
      ArrowUp: () => moveTo(index - 1),
      Home: () => moveTo(0),
      End: () => moveTo(clusters.length - 1),
      Enter: () => cluster && use(cluster),
      ' ': () => cluster && use(cluster),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  return (
    <section className="side-bar-section" aria-labelledby="clusters-heading">
      <h3 id="clusters-heading" className="side-bar-subheading">
        Clusters
      </h3>
      {clusters.length === 0 ? (
        <p className="side-bar-note">Reading the clusters…</p>
      ) : (
        <ul role="listbox" aria-labelledby="clusters-heading" className="cluster-list" onKeyDown={onKeyDown}>
          {clusters.map((cluster) => {
            const look = connectionLook[connectionState(cluster)];
            const Icon = look.icon;
            const busy = switching === cluster.name;
            return (
              <li
                key={cluster.name}
                ref={(el) => {
                  if (el) items.current.set(cluster.name, el);
                  else items.current.delete(cluster.name);
                }}
                role="option"
                aria-selected={cluster.active}
                aria-busy={busy || undefined}
                tabIndex={cluster.name === tabStop ? 0 : -1}
                className="cluster-item"
                data-testid="cluster-item"
                data-name={cluster.name}
                data-active={cluster.active ? 'true' : 'false'}
                title={cluster.active ? `${cluster.name} is the active cluster` : `Switch to ${cluster.name}`}
                onFocus={() => setFocusName(cluster.name)}
                onClick={() => use(cluster)}
              >
                <span className="cluster-item-mark" aria-hidden="true">
                  {busy ? <LoaderCircle className="spin" size={13} /> : cluster.active ? <Check size={13} /> : null}
                </span>
                <span className="tree-label">{cluster.name}</span>
                <span className="tree-meta">{cluster.kind === 'local' ? 'local' : 'SSH'}</span>
                <span className="state-icon" data-tone={look.tone} title={cluster.connection.detail || cluster.connection.state}>
                  <Icon size={13} aria-label={cluster.connection.state} />
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" className="side-bar-action" onClick={openNewClusterWizard} data-testid="add-cluster">
        <Plus size={14} aria-hidden="true" /> Add SSH cluster…
      </button>
      <button type="button" className="side-bar-action" onClick={() => session.join.open()} data-testid="join-cluster">
        <Ticket size={14} aria-hidden="true" /> Join with invite…
      </button>
    </section>
  );
}
