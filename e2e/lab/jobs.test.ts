/**
 * Jobs on the lab in a box, as a researcher meets them: a cluster of four hosts formed with
 * the CLI — the head, `jbig` with 10 declared GPUs, and `jib1`/`jib2` with 4 each, labelled
 * `infiniband` — then the talk's three shapes ("4 GPUs on any host", "10 GPUs on 1 host",
 * "8 GPUs on 2 hosts with Infiniband"), a Python script that reads a staged dataset and
 * writes its output dataset, a two-host PyTorch job that all-reduces a tensor over gloo with
 * nothing but the environment the scheduler set, and the faults: the head killed with
 * `kill -9` five times during 200 submissions, and a worker's link cut mid-job.
 *
 * GPUs cannot exist here: each host's `nvidia-smi` is a test executable that declares its
 * cards (e2e/fixtures/nvidia-smi.ts). What the scheduler does with them — which job gets
 * which card indices, and `CUDA_VISIBLE_DEVICES` — is what is tested.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Core } from '../../main/core/core.ts';
import { createCore } from '../../main/core/create-core.ts';
import type { Job, JobListReply, JobLogChunk } from '../../protocol/jobs-api.ts';
import type { JobSpec } from '../../protocol/jobs.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import { runHopsdesk } from '../fixtures/cli.ts';
import { createLab, labSupport, type Lab, type LabHost } from './lab.ts';
import { reconfigureAgent, restartAgent, until } from './lab-agents.ts';

const support = await labSupport();
const skip = support.ok ? false : `skipped: ${support.reason}`;
const project = 'vision';
/** Hosts silent this long lose their jobs in this test (the agent's default is 60 s). */
const nodeLostAfterMs = 3000;

let lab: Lab;
let workspace: string;
let core: Core;
const hopsdesk = (args: string[], timeoutMs = 240_000) =>
  runHopsdesk([...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile }, timeoutMs);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const spec = (name: string, command: string, args: string[], more: Partial<JobSpec> = {}): JobSpec => ({ name, project, command, args, ...more });
const submit = async (body: { spec: JobSpec; after?: string[]; requestId?: string }): Promise<Job> => (await core.dispatch('job.submit', body)) as Job;
const get = async (jobId: string): Promise<Job> => (await core.dispatch('job.get', { jobId })) as Job;
const logOf = async (jobId: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> =>
  ((await core.dispatch('job.logs', { jobId, stream })) as JobLogChunk).data;
const ended = (jobId: string, timeoutMs = 120_000): Promise<Job> =>
  until(`job ${jobId} to end`, async () => {
    const job = await get(jobId);
    return ['succeeded', 'failed', 'stopped'].includes(job.state) ? job : undefined;
  }, timeoutMs);
const inState = (jobId: string, state: Job['state'], timeoutMs = 60_000): Promise<Job> =>
  until(`job ${jobId} ${state}`, async () => {
    const job = await get(jobId);
    return job.state === state ? job : undefined;
  }, timeoutMs);
const hosts = async () => ((await core.dispatch('cluster.hosts', {})) as { hosts: ClusterHost[] }).hosts;

/** Every job placed now, as `host:gpu` pairs: none may appear twice. */
async function gpusInUse(): Promise<string[]> {
  const reply = (await core.dispatch('job.list', { states: ['starting', 'running', 'stopping'], limit: 500 })) as JobListReply;
  return reply.jobs.flatMap((job) => (job.placement ?? []).flatMap((host) => host.gpus.map((gpu) => `${host.name}:${gpu}`)));
}

before(async () => {
  if (!support.ok) return;
  const startedAt = Date.now();
  workspace = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-jobs-lab-'));
  const a100 = { name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920 };
  const rtx = { name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564 };
  lab = await createLab([
    'jhead',
    { name: 'jbig', gpus: Array.from({ length: 10 }, () => rtx) },
    { name: 'jib1', gpus: Array.from({ length: 4 }, () => a100) },
    { name: 'jib2', gpus: Array.from({ length: 4 }, () => a100) },
  ]);
  const [head, big, ib1, ib2] = lab.hosts as [LabHost, LabHost, LabHost, LabHost];
  const created = await hopsdesk([
    'cluster', 'create', 'jobs', '--head', `${head.user}@${head.name}`,
    '--worker', `${big.user}@${big.name}`, '--worker', `${ib1.user}@${ib1.name}`, '--worker', `${ib2.user}@${ib2.name}`,
    '--label', 'jib1=infiniband', '--label', 'jib2=infiniband',
    '--key', lab.clientKeyFile, '--trust-new',
  ]);
  assert.equal(created.code, 0, created.stderr);
  await reconfigureAgent(head, `.jobs.nodeLostAfterMs = ${nodeLostAfterMs}`);
  core = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: false, sshConfigFile: lab.sshConfigFile, log: () => undefined });
  await until('every host healthy', async () => ((await hosts()).length === 4 && (await hosts()).every((h) => h.state === 'healthy') ? true : undefined), 90_000);
  assert.equal((await hopsdesk(['project', 'create', project])).code, 0);
  console.log(`# lab of 4 hosts (18 declared GPUs) formed in ${seconds(Date.now() - startedAt)}`);
});

after(async () => {
  if (!support.ok) return;
  await core?.stop();
  await lab?.teardown();
  await rm(workspace, { recursive: true, force: true });
});

test("the talk's three shapes: 4 GPUs on any host, 10 GPUs on 1 host, 8 GPUs on 2 hosts with Infiniband", { skip }, async () => {
  const show = ['-c', 'echo "$RANK|$CUDA_VISIBLE_DEVICES"'];
  const four = await submit({ spec: spec('four', 'sh', show, { resources: { gpus: { count: 4 } } }) });
  const ten = await submit({ spec: spec('ten', 'sh', show, { resources: { gpus: { perHost: 10, hosts: 1 } } }) });
  const gang = await submit({ spec: spec('gang', 'sh', show, { resources: { gpus: { perHost: 4, hosts: 2 } }, constraints: { labels: ['infiniband'] } }) });
  for (const job of [four, ten, gang]) assert.equal((await ended(job.jobId)).state, 'succeeded', JSON.stringify(await get(job.jobId)));

  const fourDone = await get(four.jobId);
  assert.equal(fourDone.placement?.length, 1);
  assert.equal(fourDone.placement![0]!.gpus.length, 4);
  assert.equal((await logOf(four.jobId)).trim(), `|${fourDone.placement![0]!.gpus.join(',')}`);

  const tenDone = await get(ten.jobId);
  assert.deepEqual(tenDone.placement?.map((host) => [host.name, host.gpus.length]), [['jbig', 10]]);
  assert.equal((await logOf(ten.jobId)).trim(), '|0,1,2,3,4,5,6,7,8,9');

  const gangDone = await get(gang.jobId);
  assert.deepEqual(gangDone.placement?.map((host) => host.name).sort(), ['jib1', 'jib2']);
  assert.equal((await logOf(gang.jobId)).trim(), '0|0,1,2,3');
  const rank1 = path.join(workspace, 'rank-1.stdout.log');
  await core.dispatch('dataset.get', { path: `${gangDone.logDir}/attempt-1/rank-1.stdout.log`, localFile: rank1 });
  assert.equal((await readFile(rank1, 'utf8')).trim(), '1|0,1,2,3');

  // Refused at submit, in words, when nothing but new hardware would do.
  await assert.rejects(submit({ spec: spec('twelve', 'true', [], { resources: { gpus: { perHost: 12, hosts: 1 } } }) }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'JOB_NEVER_FITS');
    assert.match(err.message, /12 GPUs on one host; the largest host has 10 \(jbig\)/);
    return true;
  });
});

test('a job waiting for GPUs says why in words, and starts once stop frees them', { skip }, async () => {
  const holder = await submit({ spec: spec('holder', 'sleep', ['600'], { resources: { gpus: { perHost: 10, hosts: 1 } } }) });
  const holding = await inState(holder.jobId, 'running');
  assert.deepEqual(holding.placement?.map((host) => host.name), ['jbig']);
  const waiter = await submit({ spec: spec('waiter', 'true', [], { resources: { gpus: { perHost: 10, hosts: 1 } } }) });
  const waiting = await until('a pending reason', async () => (await get(waiter.jobId)).pendingReason, 30_000);
  assert.equal(waiting.kind, 'resources');
  assert.match(waiting.message, /needs 10 GPUs on one host; the largest free set is 4 on jib[12]/);
  assert.deepEqual((await gpusInUse()).filter((gpu) => gpu.startsWith('jbig:')).length, 10);

  const stoppedAt = Date.now();
  await core.dispatch('job.stop', { jobId: holder.jobId });
  assert.equal((await ended(holder.jobId)).state, 'stopped');
  const started = await ended(waiter.jobId);
  assert.equal(started.state, 'succeeded');
  assert.deepEqual(started.placement?.map((host) => host.name), ['jbig']);
  const sleeping = await lab.host('jbig').run('pgrep -u "$USER" -x sleep || true');
  assert.equal(sleeping.stdout.trim(), '', 'the stopped job left no process on jbig');
  console.log(`# stop to the waiting 10-GPU job done: ${seconds(Date.now() - stoppedAt)}`);
});

test('a Python script reads its staged dataset and writes its output dataset', { skip }, async () => {
  const local = await mkdtemp(path.join(os.tmpdir(), 'hopsdesk-jobs-data-'));
  try {
    const rows = ['species,flipper_mm', ...Array.from({ length: 300 }, (_, i) => `${['Adelie', 'Gentoo', 'Chinstrap'][i % 3]},${180 + (i % 40)}`)];
    await writeFile(path.join(local, 'penguins.csv'), `${rows.join('\n')}\n`);
    await writeFile(
      path.join(local, 'summarize.py'),
      [
        'import csv, json, os, pathlib',
        'rows = list(csv.DictReader(open("inputs/tables/penguins.csv")))',
        'by = {}',
        'for row in rows: by.setdefault(row["species"], []).append(float(row["flipper_mm"]))',
        'out = pathlib.Path("output")',
        'json.dump({k: round(sum(v) / len(v), 3) for k, v in sorted(by.items())}, open(out / "means.json", "w"))',
        'print("rows", len(rows))',
      ].join('\n'),
    );
    for (const made of [`/Projects/${project}/tables`, `/Projects/${project}/code`, `/Projects/${project}/summaries`]) {
      assert.equal((await hopsdesk(['dataset', 'mkdir', made])).code, 0);
    }
    assert.equal((await hopsdesk(['dataset', 'put', path.join(local, 'penguins.csv'), `/Projects/${project}/tables/penguins.csv`])).code, 0);
    assert.equal((await hopsdesk(['dataset', 'put', path.join(local, 'summarize.py'), `/Projects/${project}/code/summarize.py`])).code, 0);

    const job = await submit({
      spec: spec('summarize', 'python3', [`/Projects/${project}/code/summarize.py`], { datasets: [`/Projects/${project}/tables`], output: `/Projects/${project}/summaries` }),
    });
    const done = await ended(job.jobId);
    assert.equal(done.state, 'succeeded', `${JSON.stringify(done)}\n${await logOf(job.jobId, 'stderr')}`);
    assert.equal((await logOf(job.jobId)).trim(), 'rows 300');
    const back = path.join(local, 'means.json');
    const got = await hopsdesk(['dataset', 'get', `/Projects/${project}/summaries/means.json`, back]);
    assert.equal(got.code, 0, got.stderr);
    const means = JSON.parse(await readFile(back, 'utf8')) as Record<string, number>;
    assert.deepEqual(Object.keys(means), ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.ok(Object.values(means).every((mean) => mean >= 180 && mean < 220));
  } finally {
    await rm(local, { recursive: true, force: true });
  }
});

test('PyTorch on two hosts all-reduces a tensor over gloo with only the environment the scheduler set', { skip }, async (t) => {
  // Asked of a host as its jobs see it: the python3 on its PATH.
  const probe = await lab.host('jib1').run('python3 -c "import torch"');
  if (probe.code !== 0) {
    t.skip('python3-torch is not installed on the hosts (apt install python3-torch; .ci/run installs it)');
    return;
  }
  const script = [
    'import os, torch, torch.distributed as dist',
    'dist.init_process_group("gloo", init_method="env://")',
    'rank = dist.get_rank()',
    't = torch.tensor([float(rank + 1)])',
    'dist.all_reduce(t)',
    'print(f"rank {rank} of {dist.get_world_size()} sum {t.item()}")',
    'dist.destroy_process_group()',
  ].join('; ');
  const job = await submit({ spec: spec('allreduce', 'python3', ['-c', script.replace(/; /g, '\n')], { resources: { gpus: { perHost: 0, hosts: 2 } }, timeLimitMs: 120_000 }) });
  const done = await ended(job.jobId, 180_000);
  assert.equal(done.state, 'succeeded', `${JSON.stringify(done)}\n${await logOf(job.jobId, 'stderr')}`);
  assert.equal(new Set(done.placement?.map((host) => host.hostId)).size, 2, 'two distinct hosts, two network namespaces');
  assert.equal((await logOf(job.jobId)).trim(), 'rank 0 of 2 sum 3.0');
});

test('head kill -9 five times during 200 submissions: no acknowledged job lost, none duplicated', { skip }, async () => {
  const head = lab.host('jhead');
  const acknowledged = new Map<string, string>();
  const startedAt = Date.now();
  let retries = 0;
  // Each submission carries its own request id and is repeated until acknowledged, as the CLI does.
  const submitOne = async (i: number): Promise<void> => {
    const requestId = `burst-${i.toString().padStart(4, '0')}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const job = await submit({ spec: spec(`burst-${i}`, 'true', [], { resources: { cpus: 1, memoryBytes: 64 * 1024 * 1024 } }), requestId });
        acknowledged.set(requestId, job.jobId);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`submission ${i} was never acknowledged: ${(err as Error).message}`);
        retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  };
  const burst = (async () => {
    for (let i = 0; i < 200; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => submitOne(i + k)));
  })();
  burst.catch(() => undefined); // awaited below; this keeps an early failure from going unhandled meanwhile
  for (let kill = 0; kill < 5; kill += 1) {
    await until(`${(kill + 1) * 30} acknowledged`, async () => (acknowledged.size >= Math.min(200, (kill + 1) * 30) ? true : undefined), 120_000);
    await restartAgent(head, 'KILL');
  }
  await burst;
  assert.equal(acknowledged.size, 200);
  assert.equal(new Set(acknowledged.values()).size, 200, 'each acknowledged submission is its own job');
  // Listed once the desktop is connected again after the last kill.
  const all = await until('the job list', async () => {
    const jobs: Job[] = [];
    let before: string | undefined;
    do {
      const page = (await core.dispatch('job.list', { project, limit: 500, ...(before === undefined ? {} : { before }) })) as JobListReply;
      jobs.push(...page.jobs);
      before = page.next;
    } while (before !== undefined);
    return jobs;
  }, 60_000);
  const burstJobs = all.filter((job) => job.spec.name.startsWith('burst-'));
  assert.equal(burstJobs.length, 200, 'exactly 200 burst jobs exist: none lost, none duplicated');
  for (const jobId of acknowledged.values()) assert.ok(burstJobs.some((job) => job.jobId === jobId), `${jobId} is there`);
  await until('every burst job ended', async () => {
    const states = await Promise.all([...acknowledged.values()].map(async (jobId) => (await get(jobId)).state));
    return states.every((state) => ['succeeded', 'failed', 'stopped'].includes(state)) ? true : undefined;
  }, 300_000);
  console.log(`# 200 submissions, head killed 5 times: 200 acknowledged, 0 lost, 0 duplicated in ${seconds(Date.now() - startedAt)} (${retries} submits failed past the desktop's own repeats)`);
});

test('jobs run on while the desktop is closed', { skip }, async () => {
  const job = await submit({ spec: spec('unattended', 'sh', ['-c', 'sleep 4; echo finished alone']) });
  await inState(job.jobId, 'running');
  await core.stop();
  const closedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const reopenedAt = Date.now();
  core = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: false, sshConfigFile: lab.sshConfigFile, log: () => undefined });
  const done = await ended(job.jobId);
  assert.equal(done.state, 'succeeded');
  assert.ok(done.endedAtMs! > closedAt && done.endedAtMs! < reopenedAt, 'it ended while no desktop was connected');
  assert.equal((await logOf(job.jobId)).trim(), 'finished alone');
});

test("a worker's link cut mid-job: node lost, requeued, and no GPU is given twice", { skip }, async () => {
  const job = await submit({ spec: spec('long', 'sleep', ['600'], { resources: { gpus: { count: 4 }, cpus: 1 }, constraints: { labels: ['infiniband'] }, retries: 1 }) });
  const first = await inState(job.jobId, 'running');
  const lostHost = lab.host(first.placement![0]!.name);
  const otherName = lostHost.name === 'jib1' ? 'jib2' : 'jib1';
  const cutAt = Date.now();
  await lostHost.cutLink();
  try {
    const requeued = await until('the job running again on the other host', async () => {
      const now = await get(job.jobId);
      return now.attempt === 2 && now.state === 'running' ? now : undefined;
    }, 120_000);
    assert.deepEqual(requeued.placement?.map((host) => host.name), [otherName]);
    assert.ok(requeued.timeline.some((entry) => /node lost: jib[12] stopped answering/.test(entry.message ?? '')), JSON.stringify(requeued.timeline));
    const inUse = await gpusInUse();
    assert.equal(new Set(inUse).size, inUse.length, 'no GPU given twice');
    console.log(`# link cut: node lost and job running again on ${otherName} ${seconds(Date.now() - cutAt)} after the cut`);
  } finally {
    await lostHost.restoreLink();
  }
  // Back: the host reports the abandoned attempt, the head has it stopped; its GPUs are free again.
  await until('the abandoned attempt stopped on the host that came back', async () => {
    const left = await lostHost.run('pgrep -u "$USER" -x sleep || true');
    return left.stdout.trim() === '' ? true : undefined;
  }, 60_000);
  const probe = await submit({ spec: spec('probe', 'true', [], { resources: { gpus: { count: 4 } }, constraints: { labels: ['infiniband'] } }) });
  const placed = await ended(probe.jobId);
  assert.equal(placed.state, 'succeeded');
  assert.deepEqual(placed.placement?.map((host) => host.name), [lostHost.name], 'the GPUs of the host that came back are given again');
  await core.dispatch('job.stop', { jobId: job.jobId });
  assert.equal((await ended(job.jobId)).state, 'stopped');
});
