/**
 * How the head reads its workers' job reports, on a real cluster.db: a host of a gang that
 * has not yet reported an attempt has not lost it (its start may still be on the way),
 * while a host that reported it and then stops reporting it has.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ClusterHost } from '../../protocol/host.ts';
import type { WorkerJobReport } from '../../protocol/jobs-api.ts';
import { memoryLog, tempDir, testInventory } from '../testing/helpers.ts';
import { ClusterDb } from './cluster-db.ts';
import type { JobWorkers } from './job-workers.ts';
import type { JobWriteback } from './job-writeback.ts';
import { JobService } from './jobs.ts';

let db: ClusterDb;
let remove: () => Promise<void>;
let service: JobService;
let nowMs = 1_000_000;
const stops: string[] = [];
const starts: string[] = [];

const host = (hostId: string): ClusterHost => ({
  hostId,
  hostname: hostId,
  address: `10.0.0.${hostId.length}:7871`,
  roles: ['worker'],
  agentVersion: '0.1.0',
  inventory: testInventory(hostId),
  registeredAtMs: 0,
  lastHeartbeatMs: Date.now(),
  state: 'healthy',
  latest: null,
});

beforeEach(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  db = ClusterDb.open(path.join(temp.dir, 'cluster.db'));
  stops.length = 0;
  starts.length = 0;
  db.projects.insertUser({ name: 'u', admin: false, createdAtMs: 0, tokenHash: null });
  const hosts = [host('a'), host('b')];
  const workers = {
    start: async (hostId: string, request: { jobId: string }) => void starts.push(`${hostId}:${request.jobId}`),
    stop: async (hostId: string, jobId: string) => void stops.push(`${hostId}:${jobId}`),
  } as unknown as JobWorkers;
  service = new JobService(
    { nodeLostAfterMs: 60_000 },
    {
      store: db.jobs,
      projects: db.projects,
      namespace: undefined as never,
      transfers: undefined as never,
      registry: { hosts: () => hosts, subscribe: () => () => undefined },
      workers,
      writeback: { keep: async () => [] } as unknown as JobWriteback,
      log: memoryLog(),
      now: () => nowMs,
    },
  );
});

afterEach(async () => {
  service.close();
  db.close();
  await remove();
});

/** A gang on hosts a and b, placed and, unless `starting`, running as far as the head knows (as after host a's first report). */
function placedGang(state: 'starting' | 'running' = 'running'): string {
  const job = db.jobs.insert({ project: 'p', spec: { name: 'gang', project: 'p', command: 'true' }, after: [], scheduleId: null, requestId: null, submittedBy: 'u', submittedAtMs: nowMs });
  job.state = state;
  if (state === 'running') job.startedAtMs = nowMs;
  job.placement = {
    hosts: [
      { hostId: 'a', name: 'a', gpus: [], cpus: 1, memoryBytes: 1, rank: 0 },
      { hostId: 'b', name: 'b', gpus: [], cpus: 1, memoryBytes: 1, rank: 1 },
    ],
    masterPort: 29500,
  };
  db.jobs.update(job);
  service.start();
  return `j-${job.seq}`;
}

const running = (jobId: string): WorkerJobReport => ({ jobId, attempt: 1, state: 'running', startedAtMs: Date.now() });

test('a host of a gang that has not reported the attempt yet has not lost it', () => {
  const jobId = placedGang();
  service.applyReports('a', [running(jobId)]);
  // b's heartbeat was sent before its start arrived.
  service.applyReports('b', []);
  const job = service.get({ name: 'u', admin: true, createdAtMs: 0 }, jobId);
  assert.equal(job.state, 'running');
  assert.deepEqual(stops.filter((stop) => stop.endsWith(jobId)), []);
});

test('a host that reported the attempt and no longer does has lost it: node lost', () => {
  const jobId = placedGang();
  service.applyReports('a', [running(jobId)]);
  service.applyReports('b', [running(jobId)]);
  service.applyReports('b', []);
  const job = service.get({ name: 'u', admin: true, createdAtMs: 0 }, jobId);
  assert.equal(job.state, 'failed');
  assert.equal(job.endReason, 'node-lost');
  assert.match(job.message ?? '', /b no longer knows this job/);
  assert.deepEqual(stops.sort(), [`a:${jobId}`, `b:${jobId}`], 'its hosts are told to stop it');
});

test('a host that accepted an attempt but reports without it is sent it again, not before 10 s', async () => {
  const jobId = placedGang('starting');
  // A head that starts finds the job being started and sends it to both hosts.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(starts.sort(), [`a:${jobId}`, `b:${jobId}`]);
  service.applyReports('a', [{ jobId, attempt: 1, state: 'staging' }]);
  nowMs += 5000;
  service.applyReports('b', []);
  assert.equal(starts.length, 2, 'not yet: its start may still be on the way');
  nowMs += 6000;
  service.applyReports('a', [{ jobId, attempt: 1, state: 'staging' }]);
  service.applyReports('b', []);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(starts.slice(2), [`b:${jobId}`], 'sent again to the host that does not know it, only');
  assert.equal(service.get({ name: 'u', admin: true, createdAtMs: 0 }, jobId).state, 'starting');
});
