/** The Cluster section: a summary of the cluster and one card per host. */
import { Server } from 'lucide-react';
import { useAppState } from '../../store/app-store.ts';
import { selectHosts } from '../../store/cluster-slice.ts';
import { ClusterHeader } from './ClusterHeader.tsx';
import { HostCard } from './HostCard.tsx';

export function ClusterView() {
  const hosts = useAppState(selectHosts);
  return (
    <div className="cluster-view">
      <ClusterHeader />
      {hosts.length === 0 ? (
        <div className="empty-inline">
          <Server size={18} aria-hidden="true" />
          <span>No hosts have registered with this cluster yet. The head agent lists hosts as their agents start.</span>
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
