/**
 * Finding exactly which hosts and GPU indices a demand gets out of what is available. The
 * search is complete for each shape (if any choice exists, one is found), and prefers the
 * tightest fit so that large free sets stay whole for large jobs.
 */
import type { HostShare, SchedulerGpu } from './cluster-snapshot.ts';
import { gpuMatches, type JobDemand } from './demand.ts';
import type { HostAvailability } from './ledger.ts';

/** A host's free GPUs of the asked model, with its CPU and memory left, if those suffice. */
interface Candidate {
  availability: HostAvailability;
  gpus: SchedulerGpu[];
}

function candidates(demand: JobDemand, hosts: HostAvailability[]): Candidate[] {
  const found: Candidate[] = [];
  for (const availability of hosts) {
    if (availability.cpus < demand.cpus || availability.memoryBytes < demand.memoryBytes) continue;
    const gpus = availability.gpus.filter((gpu) => gpuMatches(gpu, demand));
    found.push({ availability, gpus: gpus.sort((a, b) => a.index - b.index) });
  }
  return found;
}

/**
 * `count` of a host's free GPUs, all of one model where one model has enough (the smallest
 * such group, so that bigger ones stay whole): a job on a mixed host then runs at one speed.
 */
function pickGpus(gpus: SchedulerGpu[], count: number): number[] {
  const byModel = new Map<string, SchedulerGpu[]>();
  for (const gpu of gpus) byModel.set(gpu.model, [...(byModel.get(gpu.model) ?? []), gpu]);
  const uniform = [...byModel.values()].filter((group) => group.length >= count).sort((a, b) => a.length - b.length)[0];
  return (uniform ?? gpus).slice(0, count).map((gpu) => gpu.index);
}

/**
 * Fewest usable GPUs first (tightest fit), then fewest labels (a job that does not ask for
 * `infiniband` leaves those hosts to jobs that do), then by name so that decisions are stable.
 */
function tightestFirst(a: Candidate, b: Candidate): number {
  const hostA = a.availability.host;
  const hostB = b.availability.host;
  return a.gpus.length - b.gpus.length || hostA.labels.length - hostB.labels.length || hostA.name.localeCompare(hostB.name);
}

function share(candidate: Candidate, gpus: number, demand: JobDemand): HostShare {
  return { hostId: candidate.availability.host.hostId, gpus: pickGpus(candidate.gpus, gpus), cpus: demand.cpus, memoryBytes: demand.memoryBytes };
}

/**
 * The hosts and GPUs `demand` gets out of `hosts` (already only the healthy hosts with its
 * labels), or undefined when it does not fit: never part of a gang.
 */
export function fitDemand(demand: JobDemand, hosts: HostAvailability[]): HostShare[] | undefined {
  const usable = candidates(demand, hosts);
  if (demand.shape === 'one-host' || demand.shape === 'gang') {
    const perHost = demand.gpusPerHost;
    const chosen = usable.filter((c) => c.gpus.length >= perHost).sort(tightestFirst).slice(0, demand.hosts);
    return chosen.length === demand.hosts ? chosen.map((c) => share(c, perHost, demand)) : undefined;
  }
  const whole = usable.filter((c) => c.gpus.length >= demand.gpus).sort(tightestFirst)[0];
  if (whole !== undefined) return [share(whole, demand.gpus, demand)];
  // Over several hosts: the largest free sets first, so the job spans as few hosts as it can.
  const largestFirst = usable.filter((c) => c.gpus.length > 0).sort((a, b) => b.gpus.length - a.gpus.length || tightestFirst(a, b));
  const shares: HostShare[] = [];
  let missing = demand.gpus;
  for (const candidate of largestFirst) {
    if (missing === 0) break;
    const take = Math.min(missing, candidate.gpus.length);
    shares.push(share(candidate, take, demand));
    missing -= take;
  }
  return missing === 0 ? shares : undefined;
}
