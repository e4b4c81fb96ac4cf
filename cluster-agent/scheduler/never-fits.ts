/**
 * Whether a request can ever fit a set of hosts, judged on their whole capacity (nothing
 * running): at submit against every host of the cluster, whatever its state, so that a job is
 * refused only when no change but new hardware would let it run; and by placement against
 * the healthy hosts, to tell "waits for a host to come back" from "waits for jobs to end".
 */
import type { JobSpec } from '../../protocol/jobs.ts';
import { formatSize } from '../../protocol/quantities.ts';
import type { SchedulerHost } from './cluster-snapshot.ts';
import { gpuMatches, hasLabels, jobDemand, type JobDemand } from './demand.ts';
import { cpuMemoryWords, demandWords, labelWords, listWords, plural } from './wording.ts';

export interface ShortfallWording {
  /** "asks" at submit, "needs" for a waiting job. */
  verb: 'asks' | 'needs';
  /** "" for the whole cluster, "healthy " for the hosts placement may use now. */
  adjective: '' | 'healthy ';
}

function largest<T>(items: T[], size: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, item) => (best === undefined || size(item) > size(best) ? item : best), undefined);
}

/**
 * Why `demand` could not run on `hosts` even if all of their resources were free, in words,
 * or undefined when it could.
 */
export function capacityShortfall(demand: JobDemand, hosts: SchedulerHost[], wording: ShortfallWording): string | undefined {
  const { verb, adjective } = wording;
  const ask = `${verb} ${demandWords(demand)}`;
  const labelled = hosts.filter((host) => hasLabels(host, demand));
  if (labelled.length === 0) {
    if (hosts.length === 0) return `${ask}; there is no ${adjective}host`;
    const labels = demand.labels.length === 1 ? `label ${demand.labels[0]}` : `labels ${listWords(demand.labels)} together`;
    return `${ask}; no ${adjective}host has ${labels}`;
  }
  if (demand.gpus > 0 && demand.model !== undefined && !labelled.some((host) => host.gpus.some((gpu) => gpuMatches(gpu, demand)))) {
    const models = [...new Set(labelled.flatMap((host) => host.gpus.map((gpu) => gpu.model)))].sort();
    const seen = models.length === 0 ? 'none has GPUs' : `models here: ${listWords(models)}`;
    return `${ask}; no ${adjective}host${labelWords(demand)} has ${demand.model} GPUs (${seen})`;
  }
  const roomy = labelled.filter((host) => host.cpus >= demand.cpus && host.memoryBytes >= demand.memoryBytes);
  if (roomy.length === 0) {
    const where = `${demand.shape === 'one-host' ? 'one host' : 'each host'}${labelWords(demand)}`;
    const mostCpus = largest(labelled, (host) => host.cpus)!;
    const mostMemory = largest(labelled, (host) => host.memoryBytes)!;
    if (mostCpus.cpus < demand.cpus) return `${verb} ${plural(demand.cpus, 'CPU')} on ${where}; the largest ${adjective}host has ${mostCpus.cpus} (${mostCpus.name})`;
    if (mostMemory.memoryBytes < demand.memoryBytes) {
      return `${verb} ${formatSize(demand.memoryBytes)} of memory on ${where}; the largest ${adjective}host has ${formatSize(mostMemory.memoryBytes)} (${mostMemory.name})`;
    }
    return `${verb} ${cpuMemoryWords(demand)} on ${where}; no ${adjective}host has both`;
  }
  const counts = roomy.map((host) => ({ host, gpus: host.gpus.filter((gpu) => gpuMatches(gpu, demand)).length }));
  if (demand.shape === 'one-host') {
    const best = largest(counts, (count) => count.gpus)!;
    if (best.gpus >= demand.gpus) return undefined;
    return best.gpus === 0 ? `${ask}; no ${adjective}host has any` : `${ask}; the largest ${adjective}host has ${best.gpus} (${best.host.name})`;
  }
  if (demand.shape === 'gang') {
    const enough = counts.filter((count) => count.gpus >= demand.gpusPerHost).map((count) => count.host.name).sort();
    if (enough.length >= demand.hosts) return undefined;
    if (enough.length === 0) return `${ask}; no ${adjective}host has that many`;
    const one = enough.length === 1;
    const what = demand.gpusPerHost === 0 ? (one ? 'qualifies' : 'qualify') : one ? 'has that many' : 'have that many';
    return `${ask}; only ${plural(enough.length, `${adjective}host`)} ${what} (${listWords(enough)})`;
  }
  const total = counts.reduce((sum, count) => sum + count.gpus, 0);
  if (total >= demand.gpus) return undefined;
  return `${ask}; the ${adjective === '' ? 'cluster has' : 'healthy hosts have'} ${total} in all`;
}

/**
 * Why `spec` can never run on the cluster as it is (every host counted, whatever its state,
 * each at its whole capacity), e.g. "asks 10 GPUs on one host; the largest host has 8
 * (gpu-b)"; undefined when some placement exists. Meant for submit: such a job is refused
 * rather than queued forever.
 */
export function neverFits(spec: JobSpec, hosts: SchedulerHost[]): string | undefined {
  return capacityShortfall(jobDemand(spec), hosts, { verb: 'asks', adjective: '' });
}
