/**
 * How long one placement round takes on a busy cluster: 2,000 pending jobs of every shape
 * from 5 projects on 64 hosts × 8 GPUs, half of them held by running jobs. Prints the median
 * and the slowest of the rounds. Run: node cluster-agent/scheduler/placement.bench.ts
 */
import { performance } from 'node:perf_hooks';
import type { JobSpec } from '../../protocol/jobs.ts';
import type { Allocation, ClusterSnapshot, QueuedJob, SchedulerHost } from './cluster-snapshot.ts';
import { placeJobs } from './placement.ts';

const GiB = 1024 ** 3;
const hour = 3_600_000;
const nowMs = 100 * hour;
const rounds = 9;

/** A seeded generator (mulberry32), so every run measures the same cluster and queue. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const hosts: SchedulerHost[] = Array.from({ length: 64 }, (_, n) => ({
  hostId: `host-${n}`,
  name: `gpu-${String(n).padStart(2, '0')}`,
  state: 'healthy',
  cpus: 128,
  memoryBytes: 1024 * GiB,
  labels: n < 32 ? ['infiniband'] : [],
  gpus: Array.from({ length: 8 }, (_, index) => ({ index, model: n % 4 === 0 ? 'NVIDIA H100 80GB HBM3' : 'NVIDIA A100-SXM4-80GB', memoryBytes: 80 * GiB })),
}));
const projects = ['vision', 'nlp', 'audio', 'robotics', 'bio'];
const allocations: Allocation[] = hosts.map((host, n) => ({
  jobId: `running-${n}`,
  project: pick(projects),
  hosts: [{ hostId: host.hostId, gpus: [0, 1, 2, 3], cpus: 16, memoryBytes: 64 * GiB }],
  endsByMs: random() < 0.8 ? nowMs + Math.floor(random() * 8 * hour) : null,
}));
const gpuShapes: NonNullable<NonNullable<JobSpec['resources']>['gpus']>[] = [
  { count: 1 },
  { count: 2 },
  { count: 4 },
  { count: 8 },
  { count: 6, spread: true },
  { perHost: 8, hosts: 2 },
  { perHost: 4, hosts: 4 },
  { count: 2, model: 'H100' },
];
const queue: QueuedJob[] = Array.from({ length: 2000 }, (_, n) => {
  const gpus = pick(gpuShapes);
  const gang = gpus.perHost !== undefined;
  return {
    jobId: `job-${n}`,
    submitSeq: n,
    spec: {
      name: `job-${n}`,
      project: pick(projects),
      command: 'python3',
      priority: Math.floor(random() * 7) - 3,
      ...(random() < 0.9 ? { timeLimitMs: Math.ceil(random() * 12) * hour } : {}),
      resources: { cpus: 4, memoryBytes: 32 * GiB, gpus },
      ...(gang && random() < 0.5 ? { constraints: { labels: ['infiniband'] } } : {}),
    },
  };
});
const cluster: ClusterSnapshot = { nowMs, hosts, allocations };

const times: number[] = [];
let result = placeJobs(cluster, queue);
for (let round = 0; round < rounds; round += 1) {
  const started = performance.now();
  result = placeJobs(cluster, queue);
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const reserved = result.pending.filter((entry) => entry.reservation !== undefined).length;
console.log(
  `placement of ${queue.length} pending jobs on ${hosts.length} hosts × 8 GPUs: median ${times[Math.floor(rounds / 2)]!.toFixed(1)} ms, ` +
    `slowest ${times.at(-1)!.toFixed(1)} ms (${rounds} rounds); ${result.starts.length} started, ${result.pending.length} pending, ${reserved} reserved`,
);
