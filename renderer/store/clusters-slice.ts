/**
 * The clusters of this workspace, the active one marked, and what the desktop installed on
 * the hosts of the active one (`cluster.provisioned`).
 */
import type { ClusterSummary, Connection } from '../../protocol/desktop-api.ts';
import type { ProvisionedHost } from '../../protocol/cluster-setup.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import { initialProjects } from './projects-slice.ts';

export interface ClustersSlice {
  /** Sorted by name; empty until `cluster.list` answered. */
  clusters: ClusterSummary[];
  /** The cluster being switched to, while `cluster.use` and the reload run. */
  switchingTo: string | null;
  provisioned: ProvisionedHost[];
  clustersLoaded(clusters: ClusterSummary[]): void;
  /** A `connection.changed` event of any cluster, shown next to its name. */
  clusterListConnectionChanged(cluster: string, connection: Connection): void;
  switchStarted(name: string): void;
  /** The core made `name` active: the old cluster's hosts, samples, installs and projects are dropped. */
  switchDone(name: string): void;
  switchFailed(): void;
  provisionedLoaded(hosts: ProvisionedHost[]): void;
}

const byName = (a: ClusterSummary, b: ClusterSummary) => a.name.localeCompare(b.name);

export const createClustersSlice: SliceCreator<ClustersSlice> = (set) => ({
  clusters: [],
  switchingTo: null,
  provisioned: [],
  clustersLoaded: (clusters) => set({ clusters: [...clusters].sort(byName) }),
  clusterListConnectionChanged: (cluster, connection) =>
    set((s) => (s.clusters.some((c) => c.name === cluster) ? { clusters: s.clusters.map((c) => (c.name === cluster ? { ...c, connection } : c)) } : {})),
  switchStarted: (name) => set({ switchingTo: name }),
  switchDone: (name) =>
    set((s) => ({
      switchingTo: null,
      clusters: s.clusters.map((c) => ({ ...c, active: c.name === name })),
      status: null,
      hosts: [],
      metrics: {},
      provisioned: [],
      clusterConnection: null,
      hostFocus: null,
      loadPhase: 'loading',
      loadProblem: null,
      // Projects belong to a cluster; the new one's are read when the Projects view shows.
      ...initialProjects,
      audit: null,
    })),
  switchFailed: () => set({ switchingTo: null }),
  provisionedLoaded: (provisioned) => set({ provisioned }),
});

export const selectClusters = (s: AppState): ClusterSummary[] => s.clusters;
export const selectSwitchingTo = (s: AppState): string | null => s.switchingTo;
export const selectProvisioned = (s: AppState): ProvisionedHost[] => s.provisioned;
/** The active cluster's name: the status once loaded, else the list's mark. */
export const selectActiveClusterName = (s: AppState): string | null => s.status?.name ?? s.clusters.find((c) => c.active)?.name ?? null;
