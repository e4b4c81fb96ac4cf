/**
 * The job runner with real processes (python3, coreutils): inputs and output, the exact
 * environment, output files and live lines, stop of a tree that ignores SIGTERM, time
 * limits, programs that cannot start, arguments that look like shell, refused
 * environments, and a job found again after its agent was killed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { installFakeNvidiaSmi } from '../../e2e/fixtures/nvidia-smi.ts';
import { HopsError } from '../../protocol/errors.ts';
import { tempDir, waitFor } from '../testing/helpers.ts';
import { JobRunner } from './job-runner.ts';
import { reattach, stopReattached } from './reattach.ts';
import type { OutputLine } from './log-tail.ts';
import { readProcStat, waitGroupGone } from './proc-group.ts';

let root: { dir: string; remove: () => Promise<void> };
let dataDir: string;
let runner: JobRunner;

before(async () => {
  root = await tempDir();
  dataDir = path.join(root.dir, 'data');
  runner = new JobRunner({ dataDir, usageIntervalMs: 200 });
});
after(() => root.remove());

const python = (code: string): string[] => ['python3', '-c', code];

test('a script reads its staged input and writes its output in a private job directory', async () => {
  const staged = path.join(root.dir, 'cache', 'penguins.csv');
  await mkdir(path.dirname(staged), { recursive: true });
  await writeFile(staged, 'species,mass\nAdelie,3750\nGentoo,5000\n');
  const job = await runner.runJob({
    jobId: 'count-rows',
    argv: python("rows = open('inputs/penguins.csv').read().splitlines()[1:]\nopen('output/count.txt', 'w').write(str(len(rows)))\nprint('counted', len(rows))"),
    inputs: [{ name: 'penguins.csv', path: staged }],
  });
  const result = await job.done;
  assert.equal(result.reason, 'exited');
  assert.equal(result.exitCode, 0);
  assert.equal(result.signal, null);
  assert.ok(result.runMs >= 0 && result.endedAtMs >= result.startedAtMs);
  assert.equal(await readFile(path.join(job.paths.output, 'count.txt'), 'utf8'), '2');
  assert.equal(await readFile(job.paths.stdout, 'utf8'), 'counted 2\n');
  assert.equal((await stat(job.paths.dir)).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(dataDir, 'jobs'))).mode & 0o777, 0o700);
  assert.equal((await stat(job.paths.record)).mode & 0o777, 0o600);
  const found = await reattach(job.paths.dir);
  assert.equal(found.state, 'ended');
  assert.equal(found.state === 'ended' && found.end.exitCode, 0);
});

test("the environment is exactly the job's, the scheduler's and PATH, HOME, LANG — no agent secret", async () => {
  process.env['HOPSDESK_CLUSTER_TOKEN'] = 'secret-cluster-token';
  process.env['HOPSDESK_CLIENT_TOKEN'] = 'secret-client-token';
  try {
    const job = await runner.runJob({
      jobId: 'show-env',
      argv: ['env'],
      env: { SEED: '42', GREETING: 'hello; $(whoami) `id`' },
      placement: { gpuIndices: [1, 3], rendezvous: { masterAddr: '10.77.0.2', masterPort: 29500, worldSize: 2, rank: 1 } },
    });
    assert.equal((await job.done).exitCode, 0);
    const printed = Object.fromEntries(
      (await readFile(job.paths.stdout, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const inherited = Object.fromEntries(['PATH', 'HOME', 'LANG'].filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
    assert.deepEqual(printed, {
      ...inherited,
      SEED: '42',
      GREETING: 'hello; $(whoami) `id`',
      CUDA_VISIBLE_DEVICES: '1,3',
      MASTER_ADDR: '10.77.0.2',
      MASTER_PORT: '29500',
      WORLD_SIZE: '2',
      RANK: '1',
      LOCAL_RANK: '0',
      NODE_RANK: '1',
    });
  } finally {
    delete process.env['HOPSDESK_CLUSTER_TOKEN'];
    delete process.env['HOPSDESK_CLIENT_TOKEN'];
  }
});

test('a job without GPUs sees none', async () => {
  const job = await runner.runJob({ jobId: 'no-gpu', argv: python("import os; print(repr(os.environ['CUDA_VISIBLE_DEVICES']))") });
  await job.done;
  assert.equal(await readFile(job.paths.stdout, 'utf8'), "''\n");
});

test('stdout and stderr go to their own files, and a follower sees lines while the job runs', async () => {
  const job = await runner.runJob({
    jobId: 'talk',
    argv: python(
      [
        'import os, sys, time',
        "print('out 1', flush=True)",
        "print('err 1', file=sys.stderr, flush=True)",
        "while not os.path.exists('go'): time.sleep(0.02)",
        "print('out 2')",
        "sys.stdout.write('last words without a newline')",
      ].join('\n'),
    ),
  });
  const lines: OutputLine[] = [];
  await runner.watchOutput(job.jobId, (line) => lines.push(line), { fromStart: true });
  // The job waits for `go`, made only once both lines arrived: they came before its end.
  await waitFor('the first lines', () => lines.length >= 2);
  assert.deepEqual(new Set(lines.map((line) => `${line.stream}:${line.text}`)), new Set(['stdout:out 1', 'stderr:err 1']));
  await writeFile(path.join(job.paths.work, 'go'), '');
  assert.equal((await job.done).exitCode, 0);
  assert.deepEqual(lines.slice(2), [
    { stream: 'stdout', text: 'out 2' },
    { stream: 'stdout', text: 'last words without a newline' },
  ]);
  assert.equal(await readFile(job.paths.stdout, 'utf8'), 'out 1\nout 2\nlast words without a newline');
  assert.equal(await readFile(job.paths.stderr, 'utf8'), 'err 1\n');
});

test('stop ends a tree of processes that ignore SIGTERM within grace + 1 s, leaving none', async () => {
  const graceMs = 500;
  const job = await runner.runJob({
    jobId: 'stubborn',
    graceMs,
    argv: python(
      [
        'import os, signal, subprocess, time',
        'signal.signal(signal.SIGTERM, signal.SIG_IGN)',
        'pids = [os.getpid()]',
        'for _ in range(3):',
        '    pid = os.fork()',
        '    if pid == 0:',
        '        while True: time.sleep(1)',
        '    pids.append(pid)',
        // A grandchild through a shell that ignores SIGTERM as well (the ignore is inherited across exec).
        "pids.append(subprocess.Popen(['sh', '-c', 'trap \"\" TERM; sleep 1000 & wait']).pid)",
        "print(' '.join(map(str, pids)), flush=True)",
        'while True: time.sleep(1)',
      ].join('\n'),
    ),
  });
  const lines: string[] = [];
  await runner.watchOutput(job.jobId, (line) => lines.push(line.text), { fromStart: true });
  const pids = (await waitFor('the pids of the tree', () => lines[0])).split(' ').map(Number);
  assert.equal(pids.length, 5);
  const startedMs = Date.now();
  const result = await runner.stop(job.jobId);
  const tookMs = Date.now() - startedMs;
  assert.equal(result.reason, 'stopped');
  assert.equal(result.signal, 'SIGKILL');
  assert.ok(tookMs >= graceMs && tookMs <= graceMs + 1000, `stop took ${tookMs} ms`);
  for (const pid of pids) {
    const left = await readProcStat(pid);
    assert.ok(left === undefined || left.state === 'Z' || left.pgid !== job.pid, `process ${pid} of the job is still alive`);
  }
  await assert.rejects(runner.stop(job.jobId), (err: HopsError) => err.code === 'JOB_NOT_RUNNING');
});

test('a job that outlives its time limit is stopped, its reason saying so', async () => {
  const job = await runner.runJob({ jobId: 'too-long', argv: ['sleep', '30'], timeLimitMs: 1000, graceMs: 300 });
  const result = await job.done;
  assert.equal(result.reason, 'time-limit');
  assert.equal(result.signal, 'SIGTERM');
  assert.ok(result.runMs >= 1000 && result.runMs < 2300, `ran ${result.runMs} ms`);
});

test('a program that does not exist fails to start, saying what is missing', async () => {
  const job = await runner.runJob({ jobId: 'missing', argv: ['hopsdesk-no-such-program', '--help'] });
  assert.equal(job.pid, undefined);
  const result = await job.done;
  assert.equal(result.reason, 'failed-to-start');
  assert.equal(result.exitCode, null);
  assert.match(result.message ?? '', /not found: there is no hopsdesk-no-such-program on the job's PATH/);
  const found = await reattach(job.paths.dir);
  assert.equal(found.state === 'ended' && found.end.reason, 'failed-to-start');

  const relative = await runner.runJob({ jobId: 'missing-file', argv: ['./train.py'] });
  assert.match((await relative.done).message ?? '', /no \.\/train\.py \(relative to the job's working directory\)/);
});

test('shell metacharacters in arguments reach the program as they are, and nothing else runs', async () => {
  const args = ['$(touch pwned-1)', '; touch pwned-2', '`touch pwned-3`', '&& touch pwned-4', '| tee pwned-5', '> pwned-6', '*', "'\"\\", 'a\nb'];
  const job = await runner.runJob({ jobId: 'literal', argv: [...python('import sys, json; print(json.dumps(sys.argv[1:]))'), ...args] });
  assert.equal((await job.done).exitCode, 0);
  assert.deepEqual(JSON.parse(await readFile(job.paths.stdout, 'utf8')), args);
  assert.deepEqual((await readdir(job.paths.work)).sort(), ['inputs', 'output']);
  assert.deepEqual((await readdir(job.paths.dir)).sort(), ['job.json', 'stderr.log', 'stdout.log', 'work']);
});

test('megabytes of environment are refused before anything is made or started', async () => {
  const refused = runner.runJob({ jobId: 'huge-env', argv: ['true'], env: { BLOB: 'x'.repeat(4 * 1024 * 1024) } });
  await assert.rejects(refused, (err: HopsError) => {
    assert.equal(err.code, 'VALIDATION');
    assert.equal(err.field, '/env');
    assert.match(err.message, /more than 65536 bytes/);
    return true;
  });
  assert.equal(existsSync(path.join(dataDir, 'jobs', 'huge-env')), false);
  await assert.rejects(runner.runJob({ jobId: 'own-gpus', argv: ['true'], env: { CUDA_VISIBLE_DEVICES: '0,1,2,3' } }), (err: HopsError) => err.field === '/env/CUDA_VISIBLE_DEVICES');
  await assert.rejects(runner.runJob({ jobId: '../escape', argv: ['true'] }), (err: HopsError) => err.field === '/jobId');
  await assert.rejects(runner.runJob({ jobId: 'nul', argv: ['echo', 'a\0b'] }), (err: HopsError) => err.field === '/args/0');
});

test('use is sampled from /proc for the whole group, and GPUs from nvidia-smi when the job has some', async () => {
  const bin = path.join(root.dir, 'bin');
  await mkdir(bin, { recursive: true });
  // The declared-GPU fixture answers --query-gpu (the cards' use) but not --query-compute-apps,
  // as a driver that does not report per-process memory: that figure is then null, with a note.
  const nvidiaSmi = await installFakeNvidiaSmi(bin, [
    { name: 'NVIDIA A100-SXM4-40GB', memoryTotalMiB: 40960, utilizationPct: 50 },
    { name: 'NVIDIA A100-SXM4-40GB', memoryTotalMiB: 40960, memoryUsedMiB: 1024, utilizationPct: 80 },
  ]);
  const gpuRunner = new JobRunner({ dataDir, usageIntervalMs: 200, nvidiaSmi });
  const job = await gpuRunner.runJob({
    jobId: 'busy',
    // Busy for 0.6 s of CPU (however long a loaded machine takes to give it), then idle until
    // stopped; 64 MiB written so that they are resident. Node rather than python3, which
    // may be a shim that runs other programs first.
    argv: [
      process.execPath,
      '-e',
      `const block = Buffer.alloc(64 * 1024 * 1024, 1);
       const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
       while (cpu() < 0.6);
       console.log(cpu());
       setTimeout(() => {}, 60_000);`,
    ],
    placement: { gpuIndices: [1] },
    graceMs: 5000,
  });
  const printed: string[] = [];
  await gpuRunner.watchOutput(job.jobId, (line) => printed.push(line.text), { fromStart: true });
  const ownCpuSeconds = Number(await waitFor('the job to be done with the CPU', () => printed[0], 30_000));
  const idleSince = Date.now();
  // A sample taken after that has seen all of its CPU time.
  const samples = await waitFor('a sample of the idle job', () => gpuRunner.usage(job.jobId).some((sample) => sample.atMs > idleSince) && gpuRunner.usage(job.jobId), 30_000);
  const result = await gpuRunner.stop(job.jobId);
  assert.ok(samples.some((sample) => sample.cpuPct > 0), `CPU shares: ${samples.map((s) => s.cpuPct).join(', ')}`);
  assert.ok(samples.every((sample) => sample.processes >= 1), JSON.stringify(samples));
  assert.ok(result.usage.peakMemoryBytes >= 64 * 1024 * 1024, `peak ${result.usage.peakMemoryBytes}`);
  // What /proc showed matches what the process measured of itself, to a few clock ticks.
  assert.ok(Math.abs(result.usage.cpuSeconds - ownCpuSeconds) <= 0.05, `sampled ${result.usage.cpuSeconds} s, the job measured ${ownCpuSeconds} s`);
  const gpu = samples[0]!.gpu!;
  assert.deepEqual(gpu.gpus.map((card) => [card.index, card.memoryUsedMiB]), [[1, 1024]]);
  assert.equal(typeof gpu.gpus[0]!.utilizationPct, 'number');
  assert.equal(gpu.processMemoryMiB, null);
  assert.match(gpu.note ?? '', /does not report GPU memory per process/);
});

test('jobs outlive their agent being killed, and are found again by their records', async () => {
  // An agent of its own, in another process, so that killing it is real.
  const agent = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { JobRunner } = await import(${JSON.stringify(path.join(import.meta.dirname, 'job-runner.ts'))});
       const runner = new JobRunner({ dataDir: process.argv[1] });
       const jobs = [];
       for (const jobId of ['outlives', 'ends-unwatched']) jobs.push(await runner.runJob({ jobId, argv: ['sleep', '60'], graceMs: 500 }));
       console.log(JSON.stringify(jobs.map((job) => ({ pid: job.pid, dir: job.paths.dir }))));
       setInterval(() => {}, 1000);`,
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let printed = '';
  agent.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const [outlives, unwatched] = await waitFor('the agent to start its jobs', () => printed.includes('\n') && (JSON.parse(printed) as Array<{ pid: number; dir: string }>));
  const agentGone = new Promise((resolve) => agent.once('exit', resolve));
  agent.kill('SIGKILL');
  await agentGone;

  for (const job of [outlives!, unwatched!]) {
    const found = await reattach(job.dir);
    assert.equal(found.state, 'running');
    assert.equal(found.record?.pid, job.pid);
    assert.equal(found.record?.pgid, job.pid);
  }

  const stopped = await stopReattached(outlives!.dir);
  assert.equal(stopped.state === 'ended' && stopped.end.reason, 'stopped');
  assert.equal(await waitGroupGone(outlives!.pid, 0), true);
  assert.equal((await reattach(outlives!.dir)).state, 'ended');

  // A record whose process has another start time names an older process whose pid was reused.
  const record = path.join(unwatched!.dir, 'job.json');
  const original = await readFile(record, 'utf8');
  const parsed = JSON.parse(original) as { procStartTicks: number };
  await writeFile(record, JSON.stringify({ ...parsed, procStartTicks: parsed.procStartTicks - 1 }));
  assert.equal((await reattach(unwatched!.dir)).state, 'gone');
  await writeFile(record, original);

  // Ended while no runner watched: nothing can tell its exit status.
  process.kill(-unwatched!.pid, 'SIGKILL');
  assert.equal(await waitGroupGone(unwatched!.pid, 5000), true);
  const gone = await reattach(unwatched!.dir);
  assert.equal(gone.state, 'gone');
  assert.match(gone.state === 'gone' ? gone.message : '', /exit code is not known/);
  assert.equal((await reattach(path.join(dataDir, 'jobs', 'never-ran'))).state, 'gone');
});
