/** The Cluster section: a summary of the cluster, its hosts as a table, and one card per host. */
import { Plus, Server } from 'lucide-react';
import { useAppState } from '../../store/app-store.ts';
import { selectHosts } from '../../store/cluster-slice.ts';
import { openNewClusterWizard } from '../setup/open-wizard.ts';
import { ClusterHeader } from './ClusterHeader.tsx';
import { HostCard } from './HostCard.tsx';
import { HostsTable } from './HostsTable.tsx';

export function ClusterView() {
  const hosts = useAppState(selectHosts);
  return (
    <div className="cluster-view">
      <ClusterHeader />
      <HostsTable />
      {hosts.length === 0 ? (
        <div className="empty-inline" data-testid="cluster-empty">
          <Server size={18} aria-hidden="true" />
          <span>No hosts have registered with this cluster yet. The head agent lists hosts as their agents start.</span>
          <button type="button" className="button" onClick={openNewClusterWizard}>
            <Plus size={14} aria-hidden="true" /> Add SSH cluster…
          </button>
        </div>
      ) : (
        <div className="host-grid">
          {hosts.map((host) => (
            <HostCard key={host.hostId} host={host} />
          ))}
        </div>
      )}
    </div>
  );
}
