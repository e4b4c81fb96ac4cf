/**
 * The hosts table's rows: what the head reports (`cluster.hosts`), what the desktop installed
 * (`cluster.provisioned`) and what is being installed right now (`provision.progress`), merged
 * into one row per host with a single state a user can act on.
 */
import type { ProvisionedHost } from '../../protocol/cluster-setup.ts';
import type { ClusterHost, HostRole } from '../../protocol/host.ts';
import { isPhaseFinal, type ProvisionRow } from './provision-progress.ts';

/**
 * `provisioning` covers installs and upgrades in progress; `failed` a run that stopped;
 * `unknown` a state this version of the app has no word for yet.
 */
export type HostRowState = 'provisioning' | 'healthy' | 'unreachable' | 'draining' | 'removing' | 'failed' | 'version-mismatch' | 'unknown';

export interface GpuModelCount {
  model: string;
  count: number;
}

export interface HostRow {
  /** The host id once known, else the target being installed. */
  key: string;
  hostId: string | null;
  name: string;
  address: string;
  roles: HostRole[];
  state: HostRowState;
  /** The reported state in the agent's own word, for `unknown` and tooltips. */
  reportedState: string | null;
  gpus: GpuModelCount[];
  gpuCount: number;
  labels: string[];
  agentVersion: string | null;
  progress: ProvisionRow | null;
  /** The host is registered with the head, so a terminal and an upgrade can reach it. */
  registered: boolean;
}

export interface HostRowInputs {
  hosts: readonly ClusterHost[];
  provisioned: readonly ProvisionedHost[];
  progress: readonly ProvisionRow[];
  /** The desktop's version; agents on another version are offered an upgrade. */
  appVersion: string | null;
}

/** Vendor prefixes everyone knows; the table is narrow. */
const shortModel = (name: string) => name.replace(/^NVIDIA\s+/i, '').trim() || name;

/** "2 × A100-SXM4-80GB, 1 × T4", grouped by model in the order the GPUs are indexed. */
export function gpuModels(host: ClusterHost): GpuModelCount[] {
  const counts = new Map<string, number>();
  for (const gpu of host.inventory.gpus) counts.set(shortModel(gpu.name), (counts.get(shortModel(gpu.name)) ?? 0) + 1);
  return [...counts].map(([model, count]) => ({ model, count }));
}

/** One state from the three sources, most urgent first: work in progress, then health, then version. */
export function hostStateOf(host: ClusterHost | null, progress: ProvisionRow | null, appVersion: string | null, agentVersion: string | null): HostRowState {
  if (progress !== null && !isPhaseFinal(progress.phase)) {
    if (progress.phase === 'draining') return 'draining';
    if (progress.phase === 'removing') return 'removing';
    return 'provisioning';
  }
  if (progress?.phase === 'failed') return 'failed';
  if (host === null) return progress?.phase === 'healthy' ? 'provisioning' : 'unreachable';
  // Typed loosely on purpose: the head may report states newer than this renderer.
  const reported: string = host.state;
  if (reported === 'unreachable') return 'unreachable';
  if (reported === 'draining') return 'draining';
  if (reported !== 'healthy') return 'unknown';
  if (appVersion !== null && agentVersion !== null && agentVersion !== appVersion) return 'version-mismatch';
  return 'healthy';
}

/** Rows for every host known from any source: head first, then by name; new installs last. */
export function hostRowsOf({ hosts, provisioned, progress, appVersion }: HostRowInputs): HostRow[] {
  const installedById = new Map(provisioned.map((p) => [p.hostId, p]));
  const usedProgress = new Set<ProvisionRow>();
  const progressFor = (hostId: string | null, target: string | null) => {
    const match =
      progress.find((p) => hostId !== null && p.hostId === hostId) ?? progress.find((p) => target !== null && p.target === target) ?? null;
    if (match !== null) usedProgress.add(match);
    return match;
  };

  const rows: HostRow[] = [];
  for (const host of hosts) {
    const installed = installedById.get(host.hostId) ?? null;
    installedById.delete(host.hostId);
    const row = progressFor(host.hostId, installed?.target ?? null);
    const agentVersion = host.agentVersion || installed?.agentVersion || null;
    rows.push({
      key: host.hostId,
      hostId: host.hostId,
      name: host.hostId,
      address: installed?.target ?? host.address,
      roles: host.roles,
      state: hostStateOf(host, row, appVersion, agentVersion),
      reportedState: host.state,
      gpus: gpuModels(host),
      gpuCount: host.inventory.gpus.length,
      labels: [...new Set([...host.inventory.labels, ...(installed?.labels ?? [])])],
      agentVersion,
      progress: row,
      registered: true,
    });
  }
  // Installed by this desktop but not (or no longer) registered with the head.
  for (const installed of installedById.values()) {
    const row = progressFor(installed.hostId, installed.target);
    rows.push({
      key: installed.hostId,
      hostId: installed.hostId,
      name: installed.target.slice(installed.target.indexOf('@') + 1),
      address: installed.target,
      roles: installed.roles,
      state: hostStateOf(null, row, appVersion, installed.agentVersion),
      reportedState: null,
      gpus: [],
      gpuCount: 0,
      labels: installed.labels,
      agentVersion: installed.agentVersion,
      progress: row,
      registered: false,
    });
  }
  // Being installed and not heard of anywhere else yet.
  for (const row of progress) {
    if (usedProgress.has(row) || row.phase === 'removed') continue;
    rows.push({
      key: row.hostId ?? row.target,
      hostId: row.hostId ?? null,
      name: row.target.slice(row.target.indexOf('@') + 1),
      address: row.target,
      roles: [],
      state: hostStateOf(null, row, appVersion, null),
      reportedState: null,
      gpus: [],
      gpuCount: 0,
      labels: [],
      agentVersion: null,
      progress: row,
      registered: false,
    });
  }
  return rows;
}

export type HostSortKey = 'name' | 'state' | 'gpus' | 'agent';
export interface HostSort {
  key: HostSortKey;
  descending: boolean;
}

/** Problems first when sorting by state: they are what a user looks for. */
const stateRank: Record<HostRowState, number> = {
  failed: 0,
  unreachable: 1,
  unknown: 2,
  'version-mismatch': 3,
  draining: 4,
  removing: 5,
  provisioning: 6,
  healthy: 7,
};

/** `rows` sorted by a column; ties keep the head-first order they came in. */
export function sortHostRows(rows: readonly HostRow[], sort: HostSort): HostRow[] {
  const compare: Record<HostSortKey, (a: HostRow, b: HostRow) => number> = {
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
    state: (a, b) => stateRank[a.state] - stateRank[b.state],
    gpus: (a, b) => a.gpuCount - b.gpuCount,
    agent: (a, b) => (a.agentVersion ?? '').localeCompare(b.agentVersion ?? '', undefined, { numeric: true }),
  };
  const sign = sort.descending ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => sign * compare[sort.key](a.row, b.row) || a.index - b.index)
    .map(({ row }) => row);
}
