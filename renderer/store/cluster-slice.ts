/** The active cluster: its status, its hosts, and whether the first load has finished. */
import type { ClusterStatus } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { AppState, SliceCreator } from './app-state.ts';

export type LoadPhase = 'loading' | 'ready' | 'error';

/** Why the cluster could not be loaded, in the words of the error that said so. */
export interface LoadProblem {
  message: string;
  code: string;
  hint: string;
  field?: string;
}

export interface ClusterSlice {
  loadPhase: LoadPhase;
  loadProblem: LoadProblem | null;
  status: ClusterStatus | null;
  /** Head first, then by hostname, so cards do not jump when a host re-registers. */
  hosts: ClusterHost[];
  /** The host picked in the tree or palette; `seq` changes on every pick so a repeat scrolls again. */
  hostFocus: { hostId: string; seq: number } | null;
  loadStarted(): void;
  clusterLoaded(status: ClusterStatus, hosts: ClusterHost[]): void;
  loadFailed(problem: LoadProblem): void;
  statusChanged(status: ClusterStatus): void;
  hostsChanged(hosts: ClusterHost[]): void;
  focusHost(hostId: string): void;
}

export function sortHosts(hosts: readonly ClusterHost[]): ClusterHost[] {
  const rank = (h: ClusterHost) => (h.roles.includes('head') ? 0 : 1);
  return [...hosts].sort((a, b) => rank(a) - rank(b) || a.hostname.localeCompare(b.hostname) || a.hostId.localeCompare(b.hostId));
}

export const createClusterSlice: SliceCreator<ClusterSlice> = (set) => ({
  loadPhase: 'loading',
  loadProblem: null,
  status: null,
  hosts: [],
  hostFocus: null,
  loadStarted: () => set({ loadPhase: 'loading', loadProblem: null }),
  clusterLoaded: (status, hosts) =>
    set({ status, hosts: sortHosts(hosts), loadPhase: 'ready', loadProblem: null, clusterConnection: status.connection }),
  loadFailed: (problem) => set({ loadPhase: 'error', loadProblem: problem }),
  statusChanged: (status) => set({ status, clusterConnection: status.connection }),
  hostsChanged: (hosts) =>
    set((s) => {
      const ids = new Set(hosts.map((h) => h.hostId));
      // Forget the samples of hosts that left, or the buffers would grow with every re-registration.
      const metrics = Object.fromEntries(Object.entries(s.metrics).filter(([id]) => ids.has(id)));
      return { hosts: sortHosts(hosts), metrics };
    }),
  focusHost: (hostId) => set((s) => ({ hostFocus: { hostId, seq: (s.hostFocus?.seq ?? 0) + 1 } })),
});

export const selectLoadPhase = (s: AppState): LoadPhase => s.loadPhase;
export const selectLoadProblem = (s: AppState): LoadProblem | null => s.loadProblem;
export const selectHosts = (s: AppState): ClusterHost[] => s.hosts;
export const selectHostFocus = (s: AppState) => s.hostFocus;

export interface ClusterSummary {
  name: string | null;
  kind: ClusterStatus['kind'] | null;
  hostsTotal: number;
  hostsHealthy: number;
  gpus: number;
  cpuCores: number;
  memoryTotalBytes: number;
}

/**
 * Totals from the host list rather than the status snapshot: `cluster.hostsChanged` keeps
 * the hosts current, while the status is only re-read on load and reconnect.
 * Derived object: read it with `useShallow`.
 */
export const selectClusterSummary = (s: AppState): ClusterSummary => ({
  name: s.status?.name ?? null,
  kind: s.status?.kind ?? null,
  hostsTotal: s.hosts.length,
  hostsHealthy: s.hosts.filter((h) => h.state === 'healthy').length,
  gpus: s.hosts.reduce((n, h) => n + h.inventory.gpus.length, 0),
  cpuCores: s.hosts.reduce((n, h) => n + h.inventory.cpu.cores, 0),
  memoryTotalBytes: s.hosts.reduce((n, h) => n + h.inventory.memory.totalBytes, 0),
});
