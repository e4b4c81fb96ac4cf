/**
 * Why a job that placement could not start waits, in words a researcher acts on: a host it
 * needs is not healthy, or not enough is free now ("needs 10 GPUs on one host; the largest
 * free set is 4 on gpu-a"). Waiting behind another job's reservation is told by placement
 * itself, which knows the order.
 */
import type { PendingReason } from '../../protocol/jobs.ts';
import { formatSize } from '../../protocol/quantities.ts';
import type { SchedulerHost } from './cluster-snapshot.ts';
import { gpuMatches, hasLabels, type JobDemand } from './demand.ts';
import type { HostAvailability } from './ledger.ts';
import { capacityShortfall } from './never-fits.ts';
import { cpuMemoryWords, demandWords, labelWords, listWords, plural } from './wording.ts';

/** "; gpu-c is unreachable; gpu-d and gpu-e are draining" for the hosts with the job's labels that are out. */
function unhealthyNote(demand: JobDemand, hosts: SchedulerHost[]): string {
  const byState = new Map<string, string[]>();
  for (const host of hosts) {
    if (host.state === 'healthy' || !hasLabels(host, demand)) continue;
    byState.set(host.state, [...(byState.get(host.state) ?? []), host.name]);
  }
  return [...byState].map(([state, names]) => `; ${listWords(names.sort())} ${names.length === 1 ? 'is' : 'are'} ${state}`).join('');
}

function most(hosts: HostAvailability[], size: (host: HostAvailability) => number): HostAvailability {
  return hosts.reduce((best, host) => (size(host) > size(best) ? host : best));
}

/**
 * Why `demand` cannot start now, given every host and `available`: what the healthy hosts
 * with its labels have free over its window (reservations of jobs ahead already taken out).
 */
export function waitingReason(demand: JobDemand, hosts: SchedulerHost[], available: HostAvailability[]): PendingReason {
  const healthy = hosts.filter((host) => host.state === 'healthy');
  const shortfall = capacityShortfall(demand, healthy, { verb: 'needs', adjective: 'healthy ' });
  if (shortfall !== undefined || available.length === 0) {
    const message = shortfall ?? `needs ${demandWords(demand)}; no healthy host qualifies`;
    return { kind: 'no-eligible-host', message: `${message}${unhealthyNote(demand, hosts)}` };
  }
  const needs = `needs ${demandWords(demand)}`;
  const roomy = available.filter((host) => host.cpus >= demand.cpus && host.memoryBytes >= demand.memoryBytes);
  if (roomy.length === 0) {
    const cpus = most(available, (host) => host.cpus);
    const memory = most(available, (host) => host.memoryBytes);
    const where = `${demand.shape === 'one-host' ? 'one host' : 'each host'}${labelWords(demand)}`;
    return {
      kind: 'resources',
      message:
        `needs ${cpuMemoryWords(demand)} on ${where}; no host has that free now ` +
        `(most CPUs free: ${Math.max(0, cpus.cpus)} on ${cpus.host.name}; most memory free: ${formatSize(Math.max(0, memory.memoryBytes))} on ${memory.host.name})`,
    };
  }
  const free = roomy
    .map((host) => ({ name: host.host.name, gpus: host.gpus.filter((gpu) => gpuMatches(gpu, demand)).length }))
    .sort((a, b) => b.gpus - a.gpus || a.name.localeCompare(b.name));
  if (demand.shape === 'one-host') {
    const best = free[0]!;
    return { kind: 'resources', message: best.gpus === 0 ? `${needs}; none is free` : `${needs}; the largest free set is ${best.gpus} on ${best.name}` };
  }
  if (demand.shape === 'gang') {
    const enough = free.filter((host) => host.gpus >= demand.gpusPerHost).map((host) => host.name);
    const what = demand.gpusPerHost === 0 ? 'that free' : 'that many free';
    const have = enough.length === 0 ? `no host has ${what}` : `${plural(enough.length, 'host')} ${enough.length === 1 ? 'has' : 'have'} ${what} (${listWords(enough)})`;
    return { kind: 'resources', message: `${needs}; ${have}` };
  }
  const holding = free.filter((host) => host.gpus > 0);
  const total = holding.reduce((sum, host) => sum + host.gpus, 0);
  const where = holding.length === 0 ? '' : ` (${listWords(holding.map((host) => `${host.gpus} on ${host.name}`))})`;
  return { kind: 'resources', message: `${needs}; ${total === 0 ? 'none is' : `${total} ${total === 1 ? 'is' : 'are'}`} free${where}` };
}
