/**
 * Placement's promises, checked over many generated clusters and queues: heterogeneous GPUs,
 * labels, hosts out of service, running jobs with and without time limits, and queues of
 * every GPU shape across several projects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JobSpec } from '../../protocol/jobs.ts';
import { jobDefaults } from '../../protocol/jobs.ts';
import type { Allocation, ClusterSnapshot, QueuedJob, SchedulerHost } from './cluster-snapshot.ts';
import { neverFits } from './never-fits.ts';
import { placeJobs, type PlacementResult } from './placement.ts';

const GiB = 1024 ** 3;
const hour = 3_600_000;
const nowMs = 50 * hour;
const models = ['NVIDIA A100-SXM4-80GB', 'NVIDIA H100 80GB HBM3', 'NVIDIA GeForce RTX 4090'];
const runs = { numRuns: 300 };

const hostArb = fc.record({
  gpuModels: fc.array(fc.constantFrom(...models), { maxLength: 8 }),
  cpus: fc.integer({ min: 1, max: 64 }),
  memoryGiB: fc.integer({ min: 1, max: 256 }),
  labels: fc.subarray(['infiniband', 'nvme']),
  state: fc.constantFrom('healthy', 'healthy', 'healthy', 'draining', 'unreachable'),
  running: fc.array(
    fc.record({
      gpus: fc.integer({ min: 0, max: 4 }),
      cpus: fc.integer({ min: 1, max: 16 }),
      memoryGiB: fc.integer({ min: 1, max: 64 }),
      endsInMs: fc.option(fc.integer({ min: -hour, max: 6 * hour }), { nil: null }),
      project: fc.constantFrom('vision', 'nlp', 'audio'),
    }),
    { maxLength: 3 },
  ),
});

/** Hosts, and running jobs that fit them (each added only while the host has room). */
const clusterArb = fc.array(hostArb, { minLength: 1, maxLength: 8 }).map((shapes): ClusterSnapshot => {
  const hosts: SchedulerHost[] = [];
  const allocations: Allocation[] = [];
  shapes.forEach((shape, n) => {
    const hostId = `host-${n}`;
    hosts.push({
      hostId,
      name: `gpu-${n}`,
      state: shape.state as SchedulerHost['state'],
      cpus: shape.cpus,
      memoryBytes: shape.memoryGiB * GiB,
      labels: shape.labels,
      gpus: shape.gpuModels.map((model, index) => ({ index, model, memoryBytes: 80 * GiB })),
    });
    let nextGpu = 0;
    let cpus = shape.cpus;
    let memoryGiB = shape.memoryGiB;
    shape.running.forEach((job, k) => {
      if (nextGpu + job.gpus > shape.gpuModels.length || job.cpus > cpus || job.memoryGiB > memoryGiB) return;
      const gpus = Array.from({ length: job.gpus }, (_, i) => nextGpu + i);
      nextGpu += job.gpus;
      cpus -= job.cpus;
      memoryGiB -= job.memoryGiB;
      allocations.push({
        jobId: `run-${n}-${k}`,
        project: job.project,
        hosts: [{ hostId, gpus, cpus: job.cpus, memoryBytes: job.memoryGiB * GiB }],
        endsByMs: job.endsInMs === null ? null : nowMs + job.endsInMs,
      });
    });
  });
  return { nowMs, hosts, allocations };
});

const gpusArb = fc.oneof(
  fc.record({ count: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ count: fc.integer({ min: 1, max: 20 }), spread: fc.constant(true) }),
  fc.record({ perHost: fc.integer({ min: 0, max: 8 }), hosts: fc.integer({ min: 1, max: 4 }) }),
);
const specArb = fc.record({
  project: fc.constantFrom('vision', 'nlp', 'audio'),
  priority: fc.integer({ min: -3, max: 3 }),
  timeLimitMs: fc.option(fc.integer({ min: 60_000, max: 8 * hour }), { nil: undefined }),
  gpus: gpusArb,
  model: fc.option(fc.constantFrom('A100', 'H100', '4090'), { freq: 4, nil: undefined }),
  labels: fc.option(fc.subarray(['infiniband', 'nvme'], { minLength: 1 }), { freq: 3, nil: undefined }),
  cpus: fc.integer({ min: 1, max: 32 }),
  memoryGiB: fc.integer({ min: 1, max: 128 }),
});
const queueArb = fc.array(specArb, { maxLength: 25 }).map((specs): QueuedJob[] =>
  specs.map((s, n) => ({
    jobId: `job-${n}`,
    submitSeq: n,
    spec: {
      name: `job-${n}`,
      project: s.project,
      command: 'python3',
      priority: s.priority,
      ...(s.timeLimitMs === undefined ? {} : { timeLimitMs: s.timeLimitMs }),
      resources: { cpus: s.cpus, memoryBytes: s.memoryGiB * GiB, gpus: s.model === undefined ? s.gpus : { ...s.gpus, model: s.model } },
      ...(s.labels === undefined ? {} : { constraints: { labels: s.labels } }),
    } satisfies JobSpec,
  })),
);

// An oracle written apart from placement: does a request fit hosts with these free resources?

interface FreeHost {
  host: SchedulerHost;
  gpus: Set<number>;
  cpus: number;
  memoryBytes: number;
}

/** GPUs per host the spec can use on each host it could run on. */
function usableCounts(spec: JobSpec, free: FreeHost[]): number[] {
  const cpus = spec.resources?.cpus ?? jobDefaults.cpus;
  const memory = spec.resources?.memoryBytes ?? jobDefaults.memoryBytes;
  const model = spec.resources?.gpus?.model?.toLowerCase();
  return free
    .filter((f) => (spec.constraints?.labels ?? []).every((label) => f.host.labels.includes(label)) && f.cpus >= cpus && f.memoryBytes >= memory)
    .map((f) => f.host.gpus.filter((gpu) => f.gpus.has(gpu.index) && (model === undefined || gpu.model.toLowerCase().includes(model))).length);
}

function oracleFits(spec: JobSpec, free: FreeHost[]): boolean {
  const gpus = spec.resources?.gpus ?? {};
  const counts = usableCounts(spec, free);
  if (gpus.perHost !== undefined) return counts.filter((n) => n >= gpus.perHost!).length >= (gpus.hosts ?? 1);
  const count = gpus.count ?? 0;
  if (gpus.spread === true) return counts.reduce((sum, n) => sum + n, 0) >= count && (count > 0 || counts.length > 0);
  return counts.some((n) => n >= count);
}

function emptyHosts(hosts: SchedulerHost[]): FreeHost[] {
  return hosts.map((host) => ({ host, gpus: new Set(host.gpus.map((gpu) => gpu.index)), cpus: host.cpus, memoryBytes: host.memoryBytes }));
}

function take(free: FreeHost[], shares: Allocation['hosts']): void {
  for (const share of shares) {
    const f = free.find((candidate) => candidate.host.hostId === share.hostId);
    if (f === undefined) continue;
    for (const index of share.gpus) f.gpus.delete(index);
    f.cpus -= share.cpus;
    f.memoryBytes -= share.memoryBytes;
  }
}

/** Turn order within a project: higher priority, then submitted first. */
function ahead(a: QueuedJob, b: QueuedJob): boolean {
  const pa = a.spec.priority ?? 0;
  const pb = b.spec.priority ?? 0;
  return pa > pb || (pa === pb && a.submitSeq < b.submitSeq);
}

test('no GPU is given twice, no host is over-committed, and gangs are all or nothing', () => {
  fc.assert(
    fc.property(clusterArb, queueArb, (cluster, queue) => {
      const result = placeJobs(cluster, queue);
      const decided = [...result.starts.map((s) => s.jobId), ...result.pending.map((p) => p.jobId)].sort();
      assert.deepEqual(decided, queue.map((job) => job.jobId).sort(), 'every job is decided exactly once');
      for (const entry of result.pending) assert.ok(entry.reason.message.length > 0, `${entry.jobId} waits without a reason`);

      const used = new Map<string, { gpus: Set<number>; cpus: number; memoryBytes: number }>();
      const holders = [...cluster.allocations.map((a) => a.hosts), ...result.starts.map((s) => s.hosts)];
      for (const shares of holders) {
        for (const share of shares) {
          const u = used.get(share.hostId) ?? { gpus: new Set<number>(), cpus: 0, memoryBytes: 0 };
          for (const index of share.gpus) {
            assert.ok(!u.gpus.has(index), `GPU ${index} of ${share.hostId} given twice`);
            u.gpus.add(index);
          }
          u.cpus += share.cpus;
          u.memoryBytes += share.memoryBytes;
          used.set(share.hostId, u);
        }
      }
      for (const host of cluster.hosts) {
        const u = used.get(host.hostId);
        if (u === undefined) continue;
        assert.ok(u.cpus <= host.cpus && u.memoryBytes <= host.memoryBytes, `${host.name} over-committed`);
        for (const index of u.gpus) assert.ok(host.gpus.some((gpu) => gpu.index === index), `${host.name} has no GPU ${index}`);
      }

      for (const start of result.starts) {
        const spec = queue.find((job) => job.jobId === start.jobId)!.spec;
        const gpus = spec.resources?.gpus ?? {};
        const hostIds = start.hosts.map((share) => share.hostId);
        assert.equal(new Set(hostIds).size, hostIds.length, 'a job gets a host once');
        for (const share of start.hosts) {
          const host = cluster.hosts.find((h) => h.hostId === share.hostId)!;
          assert.equal(host.state, 'healthy', `${start.jobId} placed on ${host.name}, which is ${host.state}`);
          assert.ok((spec.constraints?.labels ?? []).every((label) => host.labels.includes(label)), 'labels honoured');
          assert.equal(share.cpus, spec.resources?.cpus);
          assert.equal(share.memoryBytes, spec.resources?.memoryBytes);
          const model = gpus.model?.toLowerCase();
          for (const index of share.gpus) {
            assert.ok(model === undefined || host.gpus.find((gpu) => gpu.index === index)!.model.toLowerCase().includes(model), 'model honoured');
          }
        }
        if (gpus.perHost !== undefined) {
          assert.equal(start.hosts.length, gpus.hosts ?? 1, 'a gang gets exactly its hosts');
          assert.ok(start.hosts.every((share) => share.gpus.length === gpus.perHost), 'each host of a gang gets its GPUs');
        } else if (gpus.spread === true) {
          assert.equal(start.hosts.reduce((sum, share) => sum + share.gpus.length, 0), gpus.count);
        } else {
          assert.equal(start.hosts.length, 1);
          assert.equal(start.hosts[0]!.gpus.length, gpus.count ?? 0);
        }
      }
    }),
    runs,
  );
});

test('a request that fits the empty cluster is placed on it; one that never fits is reported by neverFits and never placed', () => {
  fc.assert(
    fc.property(clusterArb, queueArb, (cluster, queue) => {
      for (const job of queue.slice(0, 5)) {
        const fitsHealthy = oracleFits(job.spec, emptyHosts(cluster.hosts.filter((host) => host.state === 'healthy')));
        const alone = placeJobs({ ...cluster, allocations: [] }, [job]);
        assert.equal(alone.starts.length === 1, fitsHealthy, `${JSON.stringify(job.spec.resources)} on an empty cluster`);
        const never = neverFits(job.spec, cluster.hosts);
        assert.equal(never === undefined, oracleFits(job.spec, emptyHosts(cluster.hosts)), `neverFits: ${never}`);
      }
      const result = placeJobs(cluster, queue);
      for (const job of queue) {
        const never = neverFits(job.spec, cluster.hosts);
        if (never === undefined) continue;
        assert.ok(!result.starts.some((start) => start.jobId === job.jobId), `${job.jobId} never fits, yet was placed`);
        assert.deepEqual(result.pending.find((entry) => entry.jobId === job.jobId)?.reason, { kind: 'never-fits', message: never });
      }
    }),
    runs,
  );
});

test('within a project, a lower-priority job starts before a higher one only if the higher one could not have started', () => {
  fc.assert(
    fc.property(clusterArb, queueArb, (cluster, queue) => {
      const result = placeJobs(cluster, queue);
      const byId = new Map(queue.map((job) => [job.jobId, job]));
      const healthy = cluster.hosts.filter((host) => host.state === 'healthy');
      for (const [position, start] of result.starts.entries()) {
        const lower = byId.get(start.jobId)!;
        for (const waiting of result.pending) {
          const higher = byId.get(waiting.jobId)!;
          if (higher.spec.project !== lower.spec.project || !ahead(higher, lower)) continue;
          // What was free just before the lower job started, less every reservation but the higher job's own.
          const free = emptyHosts(healthy);
          for (const allocation of cluster.allocations) take(free, allocation.hosts);
          for (const earlier of result.starts.slice(0, position)) take(free, earlier.hosts);
          for (const other of result.pending) if (other.jobId !== higher.jobId && other.reservation) take(free, other.reservation.hosts);
          assert.ok(!oracleFits(higher.spec, free), `${lower.jobId} started while ${higher.jobId}, ahead of it, would have fit`);
        }
      }
    }),
    runs,
  );
});

test('backfill never delays the first blocked job: at its reserved start it fits beside everything started', () => {
  fc.assert(
    fc.property(clusterArb, queueArb, (cluster, queue) => {
      const result: PlacementResult = placeJobs(cluster, queue);
      const head = result.pending.find((entry) => entry.reservation !== undefined);
      const startMs = head?.reservation?.fromMs;
      if (head === undefined || startMs === null || startMs === undefined) return;
      const stillRunning = (endsByMs: number | null) => endsByMs === null || endsByMs > startMs;
      const later: ClusterSnapshot = {
        nowMs: startMs,
        hosts: cluster.hosts,
        allocations: [
          ...cluster.allocations.filter((a) => stillRunning(a.endsByMs)),
          ...result.starts.filter((s) => stillRunning(s.endsByMs)).map((s) => ({ jobId: s.jobId, project: s.project, hosts: s.hosts, endsByMs: s.endsByMs })),
        ],
      };
      const job = queue.find((candidate) => candidate.jobId === head.jobId)!;
      assert.equal(placeJobs(later, [job]).starts.length, 1, `${head.jobId} no longer fits at its reserved start`);
    }),
    { numRuns: 1000 },
  );
});

test('placement is deterministic', () => {
  fc.assert(
    fc.property(clusterArb, queueArb, (cluster, queue) => {
      assert.deepEqual(placeJobs(cluster, queue), placeJobs(cluster, [...queue].reverse()));
    }),
    { numRuns: 100 },
  );
});
