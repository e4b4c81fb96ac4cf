/**
 * Jobs end to end on a real in-process cluster (`testing/fs-cluster.ts`: head-1, which is a
 * worker too, and worker-1 over mutual TLS): submit through the head's client API, run by
 * real processes, logs and output kept in the project's filesystem. The GPU shapes are in
 * the lab tests (e2e/lab/jobs.test.ts), where hosts declare GPUs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobRoutes, type Job, type JobListReply, type JobLogChunk } from '../protocol/jobs-api.ts';
import type { JobSpec } from '../protocol/jobs.ts';
import { TestCluster, type Reply } from './testing/fs-cluster.ts';
import { tempDir, waitFor } from './testing/helpers.ts';
import { readProcStat } from './jobs/proc-group.ts';

const route = (pattern: string, jobId: string): string => pattern.replace(':jobId', jobId);

describe('jobs on the head', () => {
  let cluster: TestCluster;
  let remove: () => Promise<void>;
  let olga: string;
  let sam: string;
  let pete: string;

  const spec = (command: string, args: string[], more: Partial<JobSpec> = {}): JobSpec => ({ name: 'test-job', project: 'p1', command, args, ...more });
  const submit = async (body: unknown, token = olga): Promise<Reply> => cluster.call('POST', jobRoutes.jobs, { json: body, token });
  const submitted = async (body: unknown, token = olga): Promise<Job> => {
    const reply = await submit(body, token);
    assert.equal(reply.status, 201, reply.text);
    return reply.json<Job>();
  };
  const get = async (jobId: string, token = olga): Promise<Job> => cluster.ok<Job>('GET', route(jobRoutes.job, jobId), { token });
  const ended = async (jobId: string, timeoutMs = 20_000): Promise<Job> =>
    waitFor(`job ${jobId} to end`, async () => {
      const job = await get(jobId);
      return ['succeeded', 'failed', 'stopped'].includes(job.state) ? job : undefined;
    }, timeoutMs);
  const log = async (jobId: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<JobLogChunk> =>
    cluster.ok<JobLogChunk>('GET', route(jobRoutes.logs, jobId), { query: { stream }, token: olga });

  before(async () => {
    const temp = await tempDir();
    remove = temp.remove;
    cluster = new TestCluster(temp.dir);
    await cluster.start(1, { agent: { jobs: { nodeLostAfterMs: 1000 } } });
    olga = await cluster.user('olga');
    sam = await cluster.user('sam');
    pete = await cluster.user('pete');
    await cluster.ok('POST', '/v1/projects', { json: { name: 'p1' }, token: olga });
    await cluster.ok('POST', '/v1/projects/p1/members', { json: { user: 'sam', role: 'data-scientist' }, token: olga });
    await cluster.ok('POST', '/v1/fs/mkdir', { json: { path: '/Projects/p1/data' }, token: olga });
    await cluster.ok('POST', '/v1/fs/mkdir', { json: { path: '/Projects/p1/results' }, token: olga });
    await cluster.put('/Projects/p1/data/words.txt', Buffer.from('alpha\nbeta\n'), {}, olga);
    await cluster.ok('POST', '/v1/fs/mkdir', { json: { path: '/Projects/p1/data/more' }, token: olga });
    await cluster.put('/Projects/p1/data/more/deep.txt', Buffer.from('gamma\n'), {}, olga);
  });

  after(async () => {
    await cluster.stop();
    await remove();
  });

  test('a job runs, succeeds, and its logs are kept in the project filesystem', async () => {
    const job = await submitted({ spec: spec('sh', ['-c', 'echo hello from $0; echo to stderr >&2', 'a job; $(rm -rf /)'], { env: { GREETING: 'hi' } }) });
    assert.match(job.jobId, /^j-\d+$/);
    assert.equal(job.state, 'pending');
    const done = await ended(job.jobId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    assert.equal(done.exitCode, 0);
    assert.deepEqual(done.timeline.map((entry) => entry.state), ['pending', 'starting', 'running', 'succeeded']);
    assert.ok(done.startedAtMs !== undefined && done.startedAtMs >= done.submittedAtMs);
    // The argument with shell metacharacters reached the program as one argument, untouched.
    assert.equal((await log(job.jobId)).data, 'hello from a job; $(rm -rf /)\n');
    assert.equal((await log(job.jobId, 'stderr')).data, 'to stderr\n');
    const kept = await cluster.read(`${done.logDir}/attempt-1/stdout.log`, olga);
    assert.equal(kept.toString(), 'hello from a job; $(rm -rf /)\n');
  });

  test('datasets are staged read-only, project files run from the cluster, output is written back', async () => {
    await cluster.put('/Projects/p1/data/count.sh', Buffer.from('#!/bin/sh\ncat inputs/data/words.txt inputs/data/more/deep.txt | wc -l > output/lines.txt\nmkdir -p output/sub && echo ok > output/sub/status\n'), {}, olga);
    const job = await submitted({ spec: spec('sh', ['/Projects/p1/data/count.sh'], { datasets: ['/Projects/p1/data'], output: '/Projects/p1/results' }) });
    const done = await ended(job.jobId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    assert.equal((await cluster.read('/Projects/p1/results/lines.txt', olga)).toString().trim(), '3');
    assert.equal((await cluster.read('/Projects/p1/results/sub/status', olga)).toString(), 'ok\n');
    // Inputs are read-only: a job cannot change the dataset, nor what the next job reads from the cache.
    const writer = await submitted({ spec: spec('sh', ['-c', 'echo x >> inputs/data/words.txt'], { datasets: ['/Projects/p1/data'] }) });
    const wrote = await ended(writer.jobId);
    // Root ignores file modes; everyone else is refused.
    if (process.getuid?.() !== 0) assert.equal(wrote.state, 'failed');
    const reader = await submitted({ spec: spec('cat', ['inputs/data/words.txt'], { datasets: ['/Projects/p1/data'] }) });
    assert.equal((await ended(reader.jobId)).state, 'succeeded');
    assert.equal((await log(reader.jobId)).data, 'alpha\nbeta\n');
    assert.equal((await cluster.read('/Projects/p1/data/words.txt', olga)).toString(), 'alpha\nbeta\n');
  });

  test('a failed run is retried as many times as asked, then fails with its exit code', async () => {
    const job = await submitted({ spec: spec('sh', ['-c', 'echo attempt; exit 3'], { retries: 1 }) });
    const done = await ended(job.jobId);
    assert.equal(done.state, 'failed');
    assert.equal(done.attempt, 2);
    assert.equal(done.exitCode, 3);
    assert.ok(done.timeline.some((entry) => /attempt 1 exited with code 3; retrying \(1 of 1\)/.test(entry.message ?? '')), JSON.stringify(done.timeline));
    const retried = await cluster.ok<Job>('POST', route(jobRoutes.retry, job.jobId), { token: sam });
    assert.equal(retried.state, 'pending');
    assert.equal(retried.attempt, 3);
    assert.equal((await ended(job.jobId)).attempt, 3);
  });

  test('stop ends a running job and its whole process group', async () => {
    const job = await submitted({ spec: spec('sh', ['-c', 'sleep 600 & echo $! > /dev/stderr; wait']) });
    const running = await waitFor('the job to run', async () => ((await get(job.jobId)).state === 'running' ? true : undefined));
    assert.ok(running);
    const child = Number(await waitFor('its child pid', async () => (await log(job.jobId, 'stderr')).data.trim() || undefined));
    const stopping = await cluster.ok<Job>('POST', route(jobRoutes.stop, job.jobId), { token: olga });
    assert.equal(stopping.state, 'stopping');
    const done = await ended(job.jobId);
    assert.equal(done.state, 'stopped');
    const stat = await readProcStat(child);
    assert.ok(stat === undefined || stat.state === 'Z', `the job's child ${child} is gone`);
    const again = await cluster.call('POST', route(jobRoutes.stop, job.jobId), { token: olga });
    assert.equal(again.status, 409);
  });

  test('a job on two hosts gets the rendezvous torchrun expects, rank by rank', async () => {
    const job = await submitted({
      spec: spec('sh', ['-c', 'echo "$RANK/$WORLD_SIZE $NODE_RANK $LOCAL_RANK $MASTER_ADDR:$MASTER_PORT [$CUDA_VISIBLE_DEVICES]"'], {
        resources: { gpus: { perHost: 0, hosts: 2 } },
      }),
    });
    const done = await ended(job.jobId);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    assert.deepEqual(done.placement?.map((host) => host.rank), [0, 1]);
    assert.equal(new Set(done.placement?.map((host) => host.hostId)).size, 2);
    const rank0 = (await cluster.read(`${done.logDir}/attempt-1/stdout.log`, olga)).toString();
    const rank1 = (await cluster.read(`${done.logDir}/attempt-1/rank-1.stdout.log`, olga)).toString();
    assert.match(rank0, /^0\/2 0 0 127\.0\.0\.1:\d+ \[\]\n$/);
    assert.match(rank1, /^1\/2 1 0 127\.0\.0\.1:\d+ \[\]\n$/);
    assert.equal(rank0.split(' ')[3], rank1.split(' ')[3], 'both ranks meet at one address');
  });

  test('a job after another runs once it succeeded; after a failed one, it fails', async () => {
    const first = await submitted({ spec: spec('sleep', ['1']) });
    const second = await submitted({ spec: spec('echo', ['second']), after: [first.jobId] });
    const pending = await get(second.jobId);
    assert.equal(pending.state, 'pending');
    assert.deepEqual(pending.after, [first.jobId]);
    const done = await ended(second.jobId);
    assert.equal(done.state, 'succeeded');
    assert.ok(done.startedAtMs! >= (await get(first.jobId)).endedAtMs!);
    const failing = await submitted({ spec: spec('false', []) });
    const blocked = await submitted({ spec: spec('echo', ['never']), after: [failing.jobId] });
    const never = await ended(blocked.jobId);
    assert.equal(never.state, 'failed');
    assert.equal(never.endReason, 'dependency-failed');
  });

  test('bad input is refused with the field named, and nothing runs', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ spec: spec('echo', [], { resources: { cpus: -1 } }) }, 400, 'VALIDATION'],
      [{ spec: spec('echo', [], { resources: { memoryBytes: 1e18 } }) }, 400, 'VALIDATION'],
      [{ spec: spec('echo', [], { resources: { gpus: { count: 4 } } }) }, 422, 'JOB_NEVER_FITS'],
      [{ spec: spec('echo', [], { resources: { cpus: 1000 } }) }, 422, 'JOB_NEVER_FITS'],
      [{ spec: spec('echo', [], { datasets: ['/Projects/p1/nope'] }) }, 404, 'PATH_NOT_FOUND'],
      [{ spec: spec('echo', [], { datasets: ['/Projects/p1/../etc'] }) }, 400, 'VALIDATION'],
      [{ spec: spec('echo', [], { env: { BIG: 'x'.repeat(100 * 1024) } }) }, 400, 'VALIDATION'],
      [{ spec: spec('echo', [], { env: { BIG: 'x'.repeat(2 * 1024 * 1024) } }) }, 413, 'PAYLOAD_TOO_LARGE'],
      [{ spec: spec('echo', [], { resources: { gpus: { perHost: 2 } } }) }, 422, 'JOB_NEVER_FITS'],
      [{ spec: spec('echo', [], { env: { CUDA_VISIBLE_DEVICES: '0' } }) }, 400, 'VALIDATION'],
      [{ spec: { ...spec('echo', []), name: 'a;rm -rf /' } }, 400, 'VALIDATION'],
      [{ spec: spec('echo', []), after: ['j-999999'] }, 404, 'JOB_NOT_FOUND'],
      [{ spec: spec('echo', [], { project: 'p2' }) }, 404, 'PROJECT_NOT_FOUND'],
    ];
    const before = (await cluster.ok<JobListReply>('GET', jobRoutes.jobs, { token: olga })).jobs.length;
    for (const [body, status, code] of cases) {
      const reply = await submit(body);
      assert.equal(reply.status, status, `${JSON.stringify(body).slice(0, 200)}: ${reply.text.slice(0, 300)}`);
      assert.equal(reply.json<{ code: string }>().code, code);
    }
    assert.equal((await cluster.ok<JobListReply>('GET', jobRoutes.jobs, { token: olga })).jobs.length, before);
  });

  test('roles: a Data Scientist runs jobs; a non-member neither runs nor sees them', async () => {
    const job = await submitted({ spec: spec('true', []) }, sam);
    assert.equal(job.submittedBy, 'sam');
    const refused = await submit({ spec: spec('true', []) }, pete);
    assert.equal(refused.status, 403);
    assert.match(refused.json<{ message: string }>().message, /code\.run/);
    assert.equal((await cluster.call('GET', route(jobRoutes.job, job.jobId), { token: pete })).status, 404);
    assert.equal((await cluster.ok<JobListReply>('GET', jobRoutes.jobs, { token: pete })).jobs.length, 0);
    await ended(job.jobId);
  });

  test('a submit repeated with its request id makes one job', async () => {
    const body = { spec: spec('true', []), requestId: 'retry-safe-0001' };
    const [a, b] = await Promise.all([submitted(body), submitted(body)]);
    assert.equal(a.jobId, b.jobId);
    const again = await submitted(body);
    assert.equal(again.jobId, a.jobId);
  });

  test('jobs run on while the head restarts; the queue comes back whole', async () => {
    const slow = await submitted({ spec: spec('sh', ['-c', 'sleep 2; echo survived']) });
    await waitFor('the job to run', async () => ((await get(slow.jobId)).state === 'running' ? true : undefined));
    const blocked = await submitted({ spec: spec('true', []), after: [slow.jobId] });
    await cluster.restart('head-1');
    const done = await ended(slow.jobId, 30_000);
    // head-1 is its worker too: the job outlived its agent, which found it again but is not its parent.
    assert.equal(done.state, 'failed', JSON.stringify(done));
    assert.match(done.message ?? '', /exit code is not known/);
    assert.equal((await log(slow.jobId)).data, 'survived\n');
    const after = await get(blocked.jobId);
    assert.equal(after.state, 'failed');
    assert.equal(after.endReason, 'dependency-failed');
  });
});
