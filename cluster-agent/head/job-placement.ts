/**
 * The scheduler's view of the cluster, made from the head's registry and its active jobs:
 * hosts with their GPUs, CPUs, memory, labels and health, and what each placed job holds.
 * Placement itself (cluster-agent/scheduler/) stays a pure function of this snapshot.
 */
import type { ClusterHost } from '../../protocol/host.ts';
import type { JobHostPlacement } from '../../protocol/jobs-api.ts';
import type { Allocation, HostShare, SchedulerHost } from '../scheduler/cluster-snapshot.ts';
import type { StoredJob } from './job-store.ts';
import { jobIdOf } from './job-view.ts';

const mib = 1024 * 1024;

/** The hosts that run jobs, as placement reads them. */
export function schedulerHosts(hosts: readonly ClusterHost[]): SchedulerHost[] {
  return hosts
    .filter((host) => host.roles.includes('worker'))
    .map((host) => ({
      hostId: host.hostId,
      // Its id in the cluster: unique where hostnames may repeat (containers, namespaces), and what `hopsdesk cluster hosts` lists.
      name: host.hostId,
      state: host.state,
      cpus: host.inventory.cpu.cores,
      memoryBytes: host.inventory.memory.totalBytes,
      labels: host.inventory.labels,
      gpus: host.inventory.gpus.map((gpu) => ({ index: gpu.index, model: gpu.name, memoryBytes: gpu.memoryTotalMiB * mib })),
    }));
}

/** What a placed job holds, for the next round of placement. */
export function allocationOf(job: StoredJob): Allocation | undefined {
  if (job.placement === null) return undefined;
  const limit = job.spec.timeLimitMs;
  return {
    jobId: jobIdOf(job.seq),
    project: job.project,
    hosts: job.placement.hosts.map(shareOf),
    // A job not yet running is counted from now: its limit starts when it does.
    endsByMs: limit === undefined ? null : (job.startedAtMs ?? Date.now()) + limit,
  };
}

export function shareOf(host: JobHostPlacement): HostShare {
  return { hostId: host.hostId, gpus: [...host.gpus], cpus: host.cpus, memoryBytes: host.memoryBytes };
}

/** Placement's hosts in rank order, named as people read them. */
export function placementOf(shares: readonly HostShare[]): JobHostPlacement[] {
  return shares.map((share, rank) => ({
    hostId: share.hostId,
    name: share.hostId,
    gpus: [...share.gpus],
    cpus: share.cpus,
    memoryBytes: share.memoryBytes,
    rank,
  }));
}

/** "gpu-a (GPUs 0,1)", "cpu-1, cpu-2": where a job was placed, in words. */
export function describePlacement(placement: readonly JobHostPlacement[]): string {
  return placement.map((host) => (host.gpus.length === 0 ? host.name : `${host.name} (GPU${host.gpus.length === 1 ? '' : 's'} ${host.gpus.join(',')})`)).join(', ');
}

/** The address part of a registered `host:port` (an IPv6 one comes in brackets). */
export function addressHost(address: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(address);
  if (bracketed !== null) return bracketed[1]!;
  const colon = address.lastIndexOf(':');
  return colon === -1 ? address : address.slice(0, colon);
}
