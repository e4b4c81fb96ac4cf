/**
 * A job specification's resources, resolved into what placement needs: one of the three
 * shapes of a GPU request (docs/scheduler.md), per-host CPUs and memory with defaults
 * applied, the GPU model filter and the host labels.
 */
import { jobDefaults, type JobSpec } from '../../protocol/jobs.ts';
import type { SchedulerGpu, SchedulerHost } from './cluster-snapshot.ts';

/**
 * `one-host`: all `gpus` on a single host. `gang`: `gpusPerHost` on each of `hosts` distinct
 * hosts, all at once or none. `spread`: `gpus` over as few hosts as hold them.
 */
export type GpuShape = 'one-host' | 'gang' | 'spread';

export interface JobDemand {
  shape: GpuShape;
  /** GPUs in all. */
  gpus: number;
  /** For `one-host` equal to `gpus`; for `gang` each host's count; for `spread` unused (0). */
  gpusPerHost: number;
  /** Hosts of a `gang` (1 for `one-host`; for `spread` unknown until placed, 0). */
  hosts: number;
  /** On each host the job runs on. */
  cpus: number;
  memoryBytes: number;
  /** The model filter as written (matched case-insensitively), or undefined for any GPU. */
  model: string | undefined;
  labels: string[];
  /** Its time limit, the estimate backfill relies on; null when it has none. */
  timeLimitMs: number | null;
}

export function jobDemand(spec: JobSpec): JobDemand {
  const resources = spec.resources ?? {};
  const gpus = resources.gpus ?? {};
  const base = {
    cpus: resources.cpus ?? jobDefaults.cpus,
    memoryBytes: resources.memoryBytes ?? jobDefaults.memoryBytes,
    model: gpus.model,
    labels: [...new Set(spec.constraints?.labels ?? [])],
    timeLimitMs: spec.timeLimitMs ?? null,
  };
  if (gpus.perHost !== undefined && (gpus.hosts ?? 1) > 1) {
    const hosts = gpus.hosts ?? 1;
    return { ...base, shape: 'gang', gpus: gpus.perHost * hosts, gpusPerHost: gpus.perHost, hosts };
  }
  const count = gpus.perHost ?? gpus.count ?? 0;
  if (gpus.spread === true && count > 1) return { ...base, shape: 'spread', gpus: count, gpusPerHost: 0, hosts: 0 };
  return { ...base, shape: 'one-host', gpus: count, gpusPerHost: count, hosts: 1 };
}

/** Whether a host carries every label the job asks for. */
export function hasLabels(host: SchedulerHost, demand: JobDemand): boolean {
  return demand.labels.every((label) => host.labels.includes(label));
}

/** Whether a GPU is of the model the job asks for (any, without a filter). */
export function gpuMatches(gpu: SchedulerGpu, demand: JobDemand): boolean {
  return demand.model === undefined || gpu.model.toLowerCase().includes(demand.model.toLowerCase());
}
