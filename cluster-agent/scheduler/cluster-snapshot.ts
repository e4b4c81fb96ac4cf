/**
 * What placement reads: the cluster as the head sees it at one moment (hosts, their GPUs,
 * CPUs, memory, labels and state, and what running jobs hold) and the queue of pending
 * jobs. Plain data, so placement stays a pure function the head calls with rows from its
 * database and tests call with generated clusters.
 */
import type { HostState } from '../../protocol/host.ts';
import type { JobSpec } from '../../protocol/jobs.ts';

export interface SchedulerGpu {
  /** The driver's index, as `CUDA_VISIBLE_DEVICES` takes it. */
  index: number;
  model: string;
  memoryBytes: number;
}

export interface SchedulerHost {
  hostId: string;
  /** The host's name as people read it (its hostname). */
  name: string;
  state: HostState;
  cpus: number;
  memoryBytes: number;
  labels: string[];
  gpus: SchedulerGpu[];
}

/** What one job holds (or is given) on one host. */
export interface HostShare {
  hostId: string;
  /** GPU indices on that host. */
  gpus: number[];
  cpus: number;
  memoryBytes: number;
}

/** A running (or starting, or stopping) job and what it holds. */
export interface Allocation {
  jobId: string;
  project: string;
  hosts: HostShare[];
  /** Start plus time limit: when it is stopped at the latest; null without a time limit. */
  endsByMs: number | null;
}

export interface ClusterSnapshot {
  nowMs: number;
  hosts: SchedulerHost[];
  allocations: Allocation[];
}

export interface QueuedJob {
  jobId: string;
  /** Submit order: smaller was submitted first. */
  submitSeq: number;
  spec: JobSpec;
}
