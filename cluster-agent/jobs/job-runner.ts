/**
 * Runs placed jobs on a worker, one process group each.
 *
 * A run's life: checked (argv, environment, inputs, limits: nothing starts on bad input)
 * → its directory made (job-dir.ts) → spawned in its own process group with its output
 * files as stdout and stderr → recorded in `job.json` → sampled while it runs → ended by
 * itself, by `stop`, or by its time limit (SIGTERM to the group, SIGKILL after the grace
 * period) → the rest of its group ended, the end recorded, `done` resolved.
 */
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { HopsError } from '../../protocol/errors.ts';
import { jobLimits } from '../../protocol/jobs.ts';
import { checkInputs, createJobDir, jobPaths, type JobPaths, type StagedInput } from './job-dir.ts';
import { checkArgv, jobEnvironment, type JobPlacement } from './job-environment.ts';
import { writeJobRecord, type JobEnd, type JobEndReason, type JobRecord } from './job-record.ts';
import { JobUsageSampler, type JobUsageSample, type JobUsageSummary } from './job-usage.ts';
import { LogTail, type OutputListener } from './log-tail.ts';
import { endGroup, readBootId, readProcStat } from './proc-group.ts';

/** Settings of a worker's job runner, defaulted once in the constructor. */
export interface JobRunnerSettings {
  /** The worker's data directory; jobs live in `<dataDir>/jobs/<jobId>/`. */
  dataDir: string;
  /** `nvidia-smi` for GPU use; undefined leaves GPUs out of the samples. */
  nvidiaSmi?: string;
  /** How often a running job's use is sampled (5 s by default). */
  usageIntervalMs?: number;
  /** Samples kept per job, the newest (an hour at 5 s by default). */
  usageRetention?: number;
  /** Where PATH, HOME and LANG come from (the agent's environment by default). */
  agentEnv?: NodeJS.ProcessEnv;
}

/** One placed job to run on this host. */
export interface JobRunRequest {
  jobId: string;
  /** The program and its arguments, handed to the program as they are: no shell sees them. */
  argv: readonly string[];
  /** The job's own variables (the specification's `env`). */
  env?: Readonly<Record<string, string>>;
  /** The GPUs it was given here and, on several hosts, its rendezvous. No GPU by default. */
  placement?: JobPlacement;
  /** Staged inputs, linked under `inputs/` in its working directory. */
  inputs?: readonly StagedInput[];
  /** Stopped when it runs this long (the specification's `timeLimitMs`). */
  timeLimitMs?: number;
  /** Time between SIGTERM and SIGKILL when it is stopped (10 s by default). */
  graceMs?: number;
}

/** How a run ended, with its resource use. */
export interface JobRunResult extends JobEnd {
  usage: JobUsageSummary;
}

/** A run the runner started. */
export interface RunningJob {
  jobId: string;
  paths: JobPaths;
  /** Undefined when the process could not start. */
  pid: number | undefined;
  startedAtMs: number;
  /** Resolves once the run has ended, the whole group is gone and the end is recorded. */
  done: Promise<JobRunResult>;
}

interface Run extends RunningJob {
  graceMs: number;
  reason: JobEndReason | undefined;
  sampler: JobUsageSampler;
  tails: Set<LogTail>;
  ending: Promise<boolean> | undefined;
}

const defaultGraceMs = 10_000;
const maxGraceMs = 10 * 60_000;

/** Runs jobs in `<dataDir>/jobs/` and keeps the ones running. */
export class JobRunner {
  private readonly dataDir: string;
  private readonly nvidiaSmi: string | undefined;
  private readonly usageIntervalMs: number;
  private readonly usageRetention: number;
  private readonly agentEnv: NodeJS.ProcessEnv;
  private readonly runs = new Map<string, Run>();

  constructor(settings: JobRunnerSettings) {
    this.dataDir = settings.dataDir;
    this.nvidiaSmi = settings.nvidiaSmi;
    this.usageIntervalMs = settings.usageIntervalMs ?? 5000;
    this.usageRetention = settings.usageRetention ?? 720;
    this.agentEnv = settings.agentEnv ?? process.env;
  }

  /**
   * Starts a job. Rejects with a 400 `VALIDATION` naming the field, before anything is
   * made or started, when the request breaks a rule or a limit. A program that cannot be
   * started (not found, not executable) is not a rejection: the run ends at once with
   * `failed-to-start` and says why, as a crash would be reported.
   */
  async runJob(request: JobRunRequest): Promise<RunningJob> {
    const paths = jobPaths(this.dataDir, request.jobId);
    const argv = [...request.argv];
    checkArgv(argv);
    const placement = request.placement ?? { gpuIndices: [] };
    const env = jobEnvironment(request.env ?? {}, placement, this.agentEnv);
    const inputs = request.inputs ?? [];
    checkInputs(inputs);
    const graceMs = request.graceMs ?? defaultGraceMs;
    if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > maxGraceMs) {
      throw new HopsError('VALIDATION', `The grace period must be 0 to ${maxGraceMs} ms, not ${graceMs}.`, { field: '/graceMs' });
    }
    const { timeLimitMs } = request;
    if (timeLimitMs !== undefined && (!Number.isInteger(timeLimitMs) || timeLimitMs < jobLimits.minTimeLimitMs || timeLimitMs > jobLimits.maxTimeLimitMs)) {
      throw new HopsError('VALIDATION', `The time limit must be ${jobLimits.minTimeLimitMs} ms to ${jobLimits.maxTimeLimitMs} ms, not ${timeLimitMs}.`, { field: '/timeLimitMs' });
    }
    if (this.runs.has(request.jobId)) throw new HopsError('VALIDATION', `Job ${request.jobId} is already running on this host.`, { field: '/jobId' });

    await createJobDir(paths, inputs);
    const stdout = await open(paths.stdout, 'a', 0o600);
    const stderr = await open(paths.stderr, 'a', 0o600);
    let started: { pid: number } | { error: NodeJS.ErrnoException };
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: paths.work,
      env,
      // Its own process group, so a stop reaches every process it starts; its output goes
      // straight to the files, so it neither waits on us nor breaks when the agent restarts.
      detached: true,
      stdio: ['ignore', stdout.fd, stderr.fd],
    });
    // Listened for at once: a program that ends at once must not end unseen.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    try {
      started = await new Promise((resolve) => {
        child.once('spawn', () => resolve({ pid: child.pid! }));
        child.once('error', (error: NodeJS.ErrnoException) => resolve({ error }));
      });
    } finally {
      await stdout.close();
      await stderr.close();
    }
    const startedAtMs = Date.now();
    const record: JobRecord = { version: 1, jobId: request.jobId, argv, startedAtMs, graceMs, ...(timeLimitMs === undefined ? {} : { timeLimitMs }) };

    if ('error' in started) {
      const end: JobEnd = { reason: 'failed-to-start', exitCode: null, signal: null, message: startFailure(argv[0]!, started.error, env['PATH']), startedAtMs, endedAtMs: startedAtMs, runMs: 0 };
      await writeJobRecord(paths.record, { ...record, end });
      const result: JobRunResult = { ...end, usage: { cpuSeconds: 0, peakMemoryBytes: 0, samples: 0 } };
      return { jobId: request.jobId, paths, pid: undefined, startedAtMs, done: Promise.resolve(result) };
    }

    const { pid } = started;
    const proc = await readProcStat(pid);
    Object.assign(record, { pid, pgid: pid, bootId: await readBootId(), ...(proc === undefined ? {} : { procStartTicks: proc.startTicks }) });
    await writeJobRecord(paths.record, record);

    const sampler = new JobUsageSampler({
      pgid: pid,
      startedAtMs,
      intervalMs: this.usageIntervalMs,
      retention: this.usageRetention,
      gpuIndices: placement.gpuIndices,
      ...(this.nvidiaSmi === undefined ? {} : { nvidiaSmi: this.nvidiaSmi }),
    });
    sampler.start();
    const run: Run = { jobId: request.jobId, paths, pid, startedAtMs, graceMs, reason: undefined, sampler, tails: new Set(), ending: undefined, done: undefined! };
    const limitTimer = timeLimitMs === undefined ? undefined : setTimeout(() => this.end(run, 'time-limit'), timeLimitMs);
    run.done = exited.then(async ({ code, signal }) => {
      clearTimeout(limitTimer);
      // The job is over when its first process is: what it left behind in its group goes too.
      const groupGone = await this.end(run, run.reason ?? 'exited');
      await sampler.stop();
      await Promise.all([...run.tails].map((tail) => tail.finish()));
      const endedAtMs = Date.now();
      const end: JobEnd = { reason: run.reason ?? 'exited', exitCode: code, signal, startedAtMs, endedAtMs, runMs: endedAtMs - startedAtMs };
      if (!groupGone) end.message = `A process of job ${run.jobId}'s group (${pid}) outlived SIGKILL; it is stuck in the kernel, most likely on I/O.`;
      this.runs.delete(run.jobId);
      // The end is reported even when it cannot be kept (a full disk): only a later reattach misses it.
      await writeJobRecord(paths.record, { ...record, end }).catch((err: Error) => {
        end.message = `${end.message ?? ''} Its end could not be recorded in ${paths.record}: ${err.message}`.trim();
      });
      return { ...end, usage: sampler.summary() };
    });
    this.runs.set(run.jobId, run);
    return run;
  }

  /**
   * Stops a running job: SIGTERM to its whole process group, SIGKILL to what is left after
   * its grace period. Resolves with how it ended once nothing of it is left.
   */
  async stop(jobId: string): Promise<JobRunResult> {
    const run = this.running(jobId);
    void this.end(run, 'stopped');
    return run.done;
  }

  /**
   * Follows the job's output: `listener` gets each line of stdout and stderr as the job
   * writes it, from now on (or from the start with `fromStart`), up to its last line before
   * `done` resolves. Returns a function that stops following.
   */
  async watchOutput(jobId: string, listener: OutputListener, options: { fromStart?: boolean } = {}): Promise<() => void> {
    const run = this.running(jobId);
    const offset = async (file: string): Promise<number> => (options.fromStart === true ? 0 : (await stat(file)).size);
    const tails = [
      new LogTail(run.paths.stdout, 'stdout', listener, { offset: await offset(run.paths.stdout) }),
      new LogTail(run.paths.stderr, 'stderr', listener, { offset: await offset(run.paths.stderr) }),
    ];
    for (const tail of tails) {
      run.tails.add(tail);
      tail.start();
    }
    return () => {
      for (const tail of tails) {
        tail.close();
        run.tails.delete(tail);
      }
    };
  }

  /** The kept usage samples of a running job, oldest first. */
  usage(jobId: string): JobUsageSample[] {
    return this.running(jobId).sampler.samples();
  }

  private running(jobId: string): Run {
    const run = this.runs.get(jobId);
    if (run === undefined) throw new HopsError('JOB_NOT_RUNNING', `Job ${jobId} is not running on this host.`);
    return run;
  }

  /** Ends the run's group once, for the first reason given; later calls wait for the same end. */
  private end(run: Run, reason: JobEndReason): Promise<boolean> {
    run.reason ??= reason;
    // endGroup signals only a group this runner started; a failure to signal it (which
    // would be a bug) is reported as a group not ended rather than thrown at a timer.
    run.ending ??= endGroup(run.pid!, run.graceMs).catch(() => false);
    return run.ending;
  }
}

/** Why a program could not start, in words that say what to check. */
function startFailure(program: string, error: NodeJS.ErrnoException, jobPath: string | undefined): string {
  const where = program.includes('/') ? `${program} (relative to the job's working directory)` : `${program} on the job's PATH (${jobPath ?? 'not set'})`;
  if (error.code === 'ENOENT') return `The program was not found: there is no ${where}. Check the command, or give its full path.`;
  if (error.code === 'EACCES') return `The program ${program} cannot be run: it is not executable or a folder on the way cannot be read.`;
  return `The program ${program} could not be started: ${error.message}.`;
}
