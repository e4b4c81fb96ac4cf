/** The job list, a job's status and the wait's exit codes, as the terminal shows them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../protocol/jobs-api.ts';
import { gpuShape, jobStatus, jobTable, scheduleTable } from './job-format.ts';
import { exitOf, stateLine } from './job-watch.ts';

const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);

function job(overrides: Partial<Job> = {}): Job {
  return {
    jobId: 'j-17',
    spec: { name: 'train', project: 'vision', command: 'python3', args: ['train.py', 'a b'], resources: { gpus: { count: 2 } } },
    state: 'pending',
    attempt: 1,
    submittedBy: 'ada',
    submittedAtMs: t0,
    logDir: '/Projects/vision/Jobs/j-17',
    after: [],
    timeline: [{ atMs: t0, state: 'pending' }],
    ...overrides,
  };
}

const running = job({
  state: 'running',
  startedAtMs: t0 + 60_000,
  placement: [{ hostId: 'h1', name: 'gpu-a', gpus: [0, 1], cpus: 1, memoryBytes: 1024 ** 3, rank: 0 }],
  timeline: [
    { atMs: t0, state: 'pending' },
    { atMs: t0 + 60_000, state: 'running', message: 'placed on gpu-a (GPUs 0,1)' },
  ],
});
const waiting = job({
  jobId: 'j-18',
  pendingReason: { kind: 'resources', message: 'needs 10 GPUs on one host; the largest free set is 4 on gpu-a; expected to start within 2h' },
  spec: { name: 'big', project: 'nlp', command: 'x', resources: { gpus: { perHost: 10, hosts: 1 } } },
});
const failed = job({ jobId: 'j-19', state: 'failed', startedAtMs: t0, endedAtMs: t0 + 95_000, endReason: 'exited', exitCode: 3, signal: null });

test('the list shows id, name, project, state, GPUs and hosts, time and the shortened reason', () => {
  const lines = jobTable([running, waiting, failed], t0 + 3_600_000).split('\n');
  assert.match(lines[0]!, /^ID\s+NAME\s+PROJECT\s+STATE\s+GPUS\/HOSTS\s+TIME\s+REASON$/);
  assert.match(lines[1]!, /^j-17\s+train\s+vision\s+running\s+2 @gpu-a\s+59m\s*$/);
  assert.match(lines[2]!, /^j-18\s+big\s+nlp\s+pending\s+10×1\s+1h ago\s+needs 10 GPUs on one host; the largest free set…$/);
  assert.match(lines[3]!, /^j-19\s+train\s+vision\s+failed\s+2\s+1m 35s\s+exit 3$/);
  assert.equal(jobTable([]), '(no jobs)');
});

test('status has the request, placement, pending reason, outcome and timeline', () => {
  const text = jobStatus(running, t0 + 120_000);
  assert.match(text, /^Job\s+j-17 \(train\)$/m);
  assert.match(text, /^Command\s+python3 train\.py 'a b'$/m);
  assert.match(text, /^Asks\s+1 CPU and 1 GiB per host; GPUs 2$/m);
  assert.match(text, /^Placement\s+gpu-a \(rank 0\): GPUs 0,1, 1 CPU, 1 GiB$/m);
  assert.match(text, /^Running\s+1m$/m);
  assert.match(text, /^ {2}2026-01-02 03:05:05 {2}running {4}placed on gpu-a \(GPUs 0,1\)$/m);
  assert.match(jobStatus(waiting), /^Waiting\s+needs 10 GPUs on one host; the largest free set is 4 on gpu-a; expected to start within 2h$/m);
  assert.match(jobStatus(failed), /^Outcome\s+exit 3$/m);
  assert.match(jobStatus(failed), /^Ended\s+2026-01-02 03:05:40 after 1m 35s$/m);
});

test('GPU shapes read as asked; schedules list with their next run', () => {
  assert.equal(gpuShape(undefined), '-');
  assert.equal(gpuShape({ count: 4, spread: true }), '4 spread');
  assert.equal(gpuShape({ perHost: 8, hosts: 4, model: 'H100' }), '8×4 H100');
  const table = scheduleTable([{ scheduleId: 's-1', project: 'vision', cron: '*/5 * * * *', spec: running.spec, enabled: true, createdBy: 'ada', nextRunMs: t0 }]);
  assert.match(table.split('\n')[1]!, /^s-1\s+\*\/5 \* \* \* \*\s+train\s+vision\s+2026-01-02 03:04:05\s+-$/);
});

test('a waited-for job gives its exit code; one that ended without one gives 1 and says why', () => {
  assert.deepEqual(exitOf(job({ state: 'succeeded', endReason: 'exited', exitCode: 0 })), { code: 0 });
  assert.deepEqual(exitOf(failed), { code: 3 });
  const lost = exitOf(job({ state: 'failed', endReason: 'node-lost', exitCode: null, message: 'gpu-b stopped answering' }));
  assert.equal(lost.code, 1);
  assert.match(lost.message!, /j-17 failed without an exit code \(node lost\): gpu-b stopped answering/);
  assert.match(exitOf(job({ state: 'stopped', endReason: 'stopped', signal: 'SIGTERM' })).message!, /was stopped \(stopped \(SIGTERM\)\)/);
  assert.equal(exitOf(job({ state: 'failed', endReason: 'failed-to-start', exitCode: null })).code, 1);
  assert.equal(stateLine(running), 'j-17 running on gpu-a (GPUs 0,1)');
  assert.equal(stateLine(failed), 'j-19 failed (exit 3)');
});
