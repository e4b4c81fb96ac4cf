/** Small builders of hosts, specs and snapshots for the scheduler's tests and benchmark. */
import type { JobSpec } from '../../protocol/jobs.ts';
import type { ClusterSnapshot, QueuedJob, SchedulerHost } from './cluster-snapshot.ts';

const GiB = 1024 ** 3;

export interface HostShape {
  name: string;
  gpus?: number;
  model?: string;
  cpus?: number;
  memoryGiB?: number;
  labels?: string[];
  state?: SchedulerHost['state'];
}

export function host(shape: HostShape): SchedulerHost {
  return {
    hostId: `id-${shape.name}`,
    name: shape.name,
    state: shape.state ?? 'healthy',
    cpus: shape.cpus ?? 64,
    memoryBytes: (shape.memoryGiB ?? 512) * GiB,
    labels: shape.labels ?? [],
    gpus: Array.from({ length: shape.gpus ?? 0 }, (_, index) => ({ index, model: shape.model ?? 'NVIDIA A100-SXM4-80GB', memoryBytes: 80 * GiB })),
  };
}

export function spec(fields: Partial<JobSpec> & { resources?: JobSpec['resources'] }): JobSpec {
  return { name: 'train', project: 'vision', command: 'python3', ...fields };
}

export function queued(jobId: string, submitSeq: number, fields: Partial<JobSpec>): QueuedJob {
  return { jobId, submitSeq, spec: spec(fields) };
}

export function snapshot(hosts: SchedulerHost[], allocations: ClusterSnapshot['allocations'] = [], nowMs = 1_000_000): ClusterSnapshot {
  return { nowMs, hosts, allocations };
}
