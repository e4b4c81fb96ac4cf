/** `hopsdesk cluster status|hosts`: the same clusters and hosts the app shows. */
import type { ClusterStatus } from '../../protocol/desktop-api.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { Core } from '../core/core.ts';
import { formatBytes, formatTable } from './format.ts';

export interface CommandOutput {
  json: unknown;
  text: string;
}

/** Connection and capacity of a cluster; fails when the cluster cannot be reached. */
export async function clusterStatus(core: Core, cluster: string | undefined): Promise<CommandOutput> {
  const status = (await core.dispatch('cluster.status', clusterParams(cluster))) as ClusterStatus;
  failUnlessConnected(status);
  const text = [
    `Cluster     ${status.name} (${status.kind})`,
    `Connection  ${status.connection.state} — ${status.connection.detail}`,
    `Hosts       ${status.hosts.healthy} healthy of ${status.hosts.total}`,
    `CPU         ${status.cpuCores} cores`,
    `Memory      ${formatBytes(status.memoryTotalBytes)}`,
    `GPUs        ${status.gpus.total}`,
  ].join('\n');
  return { json: status, text };
}

/** Every host with its role, health, CPU, memory and GPUs. */
export async function clusterHosts(core: Core, cluster: string | undefined): Promise<CommandOutput> {
  const status = (await core.dispatch('cluster.status', clusterParams(cluster))) as ClusterStatus;
  failUnlessConnected(status);
  const { hosts } = (await core.dispatch('cluster.hosts', clusterParams(cluster))) as { hosts: ClusterHost[] };
  const rows = hosts.map((h) => [
    h.hostId,
    h.roles.join(','),
    h.state,
    String(h.inventory.cpu.cores),
    formatBytes(h.inventory.memory.totalBytes),
    h.inventory.gpus.length === 0 ? '-' : gpuSummary(h),
    h.inventory.labels.join(',') || '-',
    `${h.inventory.os.name} ${h.inventory.os.version}`.trim(),
  ]);
  const text = formatTable(['HOST', 'ROLES', 'STATE', 'CORES', 'MEMORY', 'GPUS', 'LABELS', 'OS'], rows, new Set([3, 4]));
  return { json: { cluster: status.name, hosts }, text };
}

function clusterParams(cluster: string | undefined): { cluster?: string } {
  return cluster === undefined ? {} : { cluster };
}

/** "2× NVIDIA A100 80GB" — counts per model. */
function gpuSummary(host: ClusterHost): string {
  const counts = new Map<string, number>();
  for (const gpu of host.inventory.gpus) counts.set(gpu.name, (counts.get(gpu.name) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${n}× ${name}`).join(', ');
}

function failUnlessConnected(status: ClusterStatus): void {
  if (status.connection.state !== 'connected') {
    throw new HopsError('AGENT_UNREACHABLE', `Cluster "${status.name}" is ${status.connection.state}: ${status.connection.detail}.`);
  }
}
