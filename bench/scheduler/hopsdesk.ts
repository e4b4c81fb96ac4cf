/**
 * Hopsdesk's side: the lab's hosts formed into one cluster (`hopsdesk cluster create`, the
 * head also a worker, as every cluster's is), a project, then the burst through one desktop
 * core in this process: `job.submit` of the desktop API, which is `POST /v1/jobs` to the head
 * through the core's SSH tunnel with the cluster creator's (an admin's) token, as the app
 * and the CLI submit. The spec is `true` with 1 CPU and 64 MiB, like the peer's jobs.
 *
 * Times are the head's record of each job: `submittedAtMs` (the submit stored, before it is
 * answered) → `startedAtMs` (the worker's clock just before it starts the process) →
 * `endedAtMs`. The lab's hosts share this machine's clock.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Lab, LabHost } from '../../e2e/lab/lab.ts';
import { createCore } from '../../main/core/create-core.ts';
import { compileCoreOptions } from '../../main/core/options.ts';
import { agentBundle } from '../../main/provision/bundle.ts';
import type { JobSpec } from '../../protocol/jobs.ts';
import type { Job, JobListReply } from '../../protocol/jobs-api.ts';
import { submitBurst, type BurstSubmits, type JobTimes } from './burst.ts';

export interface HopsdeskRunOptions {
  lab: Lab;
  repoRoot: string;
  /** This run's scratch directory (the workspace goes there). */
  dir: string;
  jobs: number;
  inFlight: number;
  /** How long without a single job ending before the run is given up. */
  stallMs: number;
  log: (line: string) => void;
}

export interface HopsdeskRun {
  submits: BurstSubmits;
  jobs: JobTimes[];
}

const cluster = 'bench';
const project = 'bench';
const endStates = new Set(['succeeded', 'failed', 'stopped']);

function runCli(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`hopsdesk ${args.slice(0, 3).join(' ')} failed (${code}):\n${output}`))));
  });
}

export async function hopsdeskBurst(options: HopsdeskRunOptions): Promise<HopsdeskRun> {
  const { lab, log } = options;
  const [head, ...workers] = lab.hosts as [LabHost, ...LabHost[]];
  const workspace = path.join(options.dir, 'workspace');
  const cli = path.join(options.repoRoot, 'bin', 'hopsdesk.cjs');
  const hopsdesk = (args: string[]) => runCli(cli, [...args, '--workspace', workspace], { HOPSDESK_SSH_CONFIG: lab.sshConfigFile });

  // The agent bundle is built (or found) first, in the cache the CLI reads.
  const config = compileCoreOptions({ mode: 'cli', workspaceDir: workspace });
  await agentBundle({ agentFile: config.agentBundlePath, nodePath: config.nodePath, appRoot: config.appRoot, cacheDir: config.bundleCacheDir }, process.arch === 'arm64' ? 'arm64' : 'x64');
  await hopsdesk(['cluster', 'create', cluster, '--head', `${head.user}@${head.name}`, ...workers.flatMap((w) => ['--worker', `${w.user}@${w.name}`]), '--key', lab.clientKeyFile, '--trust-new']);
  await hopsdesk(['project', 'create', project, '--cluster', cluster]);
  log(`hopsdesk: cluster of ${lab.hosts.length} hosts formed (head ${head.name}), project ${project}`);

  const core = await createCore({ mode: 'cli', workspaceDir: workspace, startLocalCluster: false, sshConfigFile: lab.sshConfigFile, log: () => undefined });
  try {
    await core.start();
    const list = (query: { before?: string; limit: number }) =>
      core.dispatch('job.list', { cluster, project, ...query }) as Promise<JobListReply>;
    // The tunnel is opened before the clock starts, as a desktop that is open has it.
    await list({ limit: 1 });

    const spec: JobSpec = { name: 'noop', project, command: 'true', resources: { cpus: 1, memoryBytes: 64 * 1024 * 1024 } };
    const submits = await submitBurst(options.jobs, options.inFlight, async () => {
      const job = (await core.dispatch('job.submit', { cluster, spec })) as Job;
      return { jobId: job.jobId };
    });
    const accepted = new Set(submits.outcomes.flatMap((o) => (o.jobId === undefined ? [] : [o.jobId])));
    log(`  ${accepted.size}/${options.jobs} accepted in ${((submits.lastAnsweredMs - submits.firstSubmitMs) / 1000).toFixed(1)} s; waiting for them to end…`);

    // Waits on the jobs in submit order, as the queue runs them: the oldest not yet seen to
    // end is asked for again each second, and every job is asked for once it is next.
    const order = [...accepted].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
    let lastProgress = Date.now();
    for (let next = 0; next < order.length; ) {
      const job = (await core.dispatch('job.get', { cluster, jobId: order[next]! })) as Job;
      if (endStates.has(job.state)) {
        next += 1;
        lastProgress = Date.now();
        continue;
      }
      if (Date.now() - lastProgress > options.stallMs) throw new Error(`Hopsdesk: ${next}/${order.length} jobs ended and none since ${options.stallMs / 1000} s (${job.jobId} is ${job.state}${job.pendingReason === undefined ? '' : `, ${JSON.stringify(job.pendingReason)}`})`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    const jobs: JobTimes[] = [];
    let before: string | undefined;
    do {
      const page = await list({ limit: 500, ...(before === undefined ? {} : { before }) });
      for (const job of page.jobs) {
        if (!accepted.has(job.jobId)) continue;
        if (!endStates.has(job.state)) throw new Error(`Hopsdesk: job ${job.jobId} is ${job.state} after the queue emptied`);
        jobs.push({
          jobId: job.jobId,
          submittedMs: job.submittedAtMs,
          startedMs: job.startedAtMs ?? Number.NaN,
          endedMs: job.endedAtMs ?? Number.NaN,
          succeeded: job.state === 'succeeded',
        });
      }
      before = page.next;
    } while (before !== undefined);
    return { submits, jobs };
  } finally {
    await core.stop();
  }
}
