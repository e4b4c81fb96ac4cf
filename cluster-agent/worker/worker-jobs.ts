/**
 * A worker's side of jobs: it runs the attempts its head places here and reports on them.
 *
 * An attempt (`jobId:attempt`) is accepted at once, then staged (stager.ts), then run by
 * the job runner, each in its own directory `<dataDir>/jobs/<jobId>.<attempt>/`. What
 * runs, and how ended ones ended, is reported to the head until it says it recorded the
 * end (`recorded`); then the attempt's directory goes. Starting an attempt already known
 * is a no-op, so a head that restarted may send it again safely.
 *
 * After this agent restarts, `restore` finds its attempts again from their `job.json`:
 * a job still running goes on (it is in its own process group) and is watched until it
 * ends; its exit code is then unknown, as nothing of ours is its parent any more.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { HopsError } from '../../protocol/errors.ts';
import type { JobLogStream, JobUsage, JobUsageSample, WorkerJobReport, WorkerJobStart } from '../../protocol/jobs-api.ts';
import { jobPaths, pathsOf, type JobPaths } from '../jobs/job-dir.ts';
import type { JobEnd } from '../jobs/job-record.ts';
import type { JobRendezvous } from '../jobs/job-environment.ts';
import type { JobRunner, RunningJob } from '../jobs/job-runner.ts';
import { endGroup, readProcStat } from '../jobs/proc-group.ts';
import { reattach } from '../jobs/reattach.ts';
import type { AgentLog } from '../log.ts';
import type { Stager } from './stager.ts';

/** One attempt on this host. */
interface Attempt {
  key: string;
  jobId: string;
  attempt: number;
  runId: string;
  state: 'staging' | 'running' | 'ended';
  startedAtMs?: number;
  end?: NonNullable<WorkerJobReport['end']>;
  run?: RunningJob;
  /** For an attempt found again after a restart: its process group, stopped directly. */
  pgid?: number;
  stopRequested: boolean;
}

export interface OutputFile {
  path: string;
  size: number;
}

/** Files an output may hold, and bytes, before the head refuses to write it back. */
export const outputLimits = { maxFiles: 10_000, maxDepth: 32 } as const;

const reattachedPollMs = 1000;

export class WorkerJobs {
  private readonly dataDir: string;
  private readonly runner: JobRunner;
  private readonly stager: Stager;
  private readonly log: AgentLog;
  private readonly attempts = new Map<string, Attempt>();
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /** The interface this host's cluster address is on, for the rendezvous of jobs on several hosts. */
  private readonly networkInterface: () => string | undefined;

  constructor(deps: { dataDir: string; runner: JobRunner; stager: Stager; log: AgentLog; networkInterface?: () => string | undefined }) {
    this.networkInterface = deps.networkInterface ?? (() => undefined);
    this.dataDir = deps.dataDir;
    this.runner = deps.runner;
    this.stager = deps.stager;
    this.log = deps.log;
  }

  /** Calls `listener` whenever an attempt starts running or ends. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Accepts an attempt and stages then starts it in the background; known attempts are left alone. */
  start(request: WorkerJobStart): void {
    const key = attemptKey(request.jobId, request.attempt);
    if (this.attempts.has(key)) return;
    const runId = `${request.jobId}.${request.attempt}`;
    // Checked now, so a bad id is refused to the head rather than failing later.
    jobPaths(this.dataDir, runId);
    const attempt: Attempt = { key, jobId: request.jobId, attempt: request.attempt, runId, state: 'staging', stopRequested: false };
    this.attempts.set(key, attempt);
    void this.launch(attempt, request);
  }

  /** Stops an attempt: staging is abandoned, a running job gets SIGTERM then SIGKILL. */
  stop(jobId: string, attempt: number): void {
    const found = this.attempts.get(attemptKey(jobId, attempt));
    if (found === undefined || found.state === 'ended') return;
    found.stopRequested = true;
    if (found.run !== undefined) void this.runner.stop(found.runId).catch(() => undefined);
    else if (found.pgid !== undefined) void endGroup(found.pgid, 10_000);
  }

  /** What runs here and what ended unrecorded. */
  reports(): WorkerJobReport[] {
    return [...this.attempts.values()].map((attempt) => ({
      jobId: attempt.jobId,
      attempt: attempt.attempt,
      state: attempt.state,
      ...(attempt.startedAtMs === undefined ? {} : { startedAtMs: attempt.startedAtMs }),
      ...(attempt.end === undefined ? {} : { end: attempt.end }),
    }));
  }

  /** The head recorded these ended attempts: their directories and staged views go. */
  async recorded(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const attempt = this.attempts.get(key);
      if (attempt === undefined || attempt.state !== 'ended') continue;
      this.attempts.delete(key);
      await rm(pathsOf(path.join(this.dataDir, 'jobs', attempt.runId)).dir, { recursive: true, force: true });
      await this.stager.release(attempt.runId);
    }
  }

  /** Acts on the head's answer to a report: forget what it recorded, stop what it does not expect. */
  answer(answer: { recorded: string[]; toStop: string[] }): void {
    for (const key of answer.toStop) {
      const [jobId, attempt] = key.split(':');
      this.stop(jobId ?? '', Number(attempt));
    }
    if (answer.recorded.length > 0) {
      this.recorded(answer.recorded).catch((err: unknown) => this.log.warn('removing recorded job directories failed', { err }));
    }
  }

  /** A piece of an attempt's log, and the log's size now. */
  async readLog(jobId: string, attemptNo: number, stream: JobLogStream, offset: number, length: number): Promise<{ data: Buffer; size: number }> {
    const file = this.paths(jobId, attemptNo)[stream];
    const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (handle === undefined) return { data: Buffer.alloc(0), size: 0 };
    try {
      const { size } = await handle.stat();
      const want = Math.max(0, Math.min(length, size - offset));
      const data = Buffer.alloc(want);
      const { bytesRead } = want === 0 ? { bytesRead: 0 } : await handle.read(data, 0, want, offset);
      return { data: data.subarray(0, bytesRead), size };
    } finally {
      await handle.close();
    }
  }

  /** Opens a whole log for copying into the project's filesystem. */
  openLog(jobId: string, attemptNo: number, stream: JobLogStream): ReadStream {
    return createReadStream(this.paths(jobId, attemptNo)[stream]);
  }

  /** The files the attempt left in its `output/` folder, relative paths, no links followed. */
  async outputFiles(jobId: string, attemptNo: number): Promise<OutputFile[]> {
    const root = this.paths(jobId, attemptNo).output;
    const files: OutputFile[] = [];
    const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
      if (depth > outputLimits.maxDepth) throw new HopsError('VALIDATION', `The job's output nests deeper than ${outputLimits.maxDepth} folders.`);
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative, depth + 1);
        else if (entry.isFile()) {
          files.push({ path: relative, size: (await stat(path.join(dir, entry.name))).size });
          if (files.length > outputLimits.maxFiles) throw new HopsError('VALIDATION', `The job left more than ${outputLimits.maxFiles} files in output/; write fewer, larger files.`);
        }
      }
    };
    await walk(root, '', 0);
    return files;
  }

  /** Opens one output file (a path `outputFiles` listed). */
  openOutputFile(jobId: string, attemptNo: number, relative: string): ReadStream {
    const parts = relative.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0'))) {
      throw new HopsError('VALIDATION', `${JSON.stringify(relative.slice(0, 200))} is not a path inside the job's output.`, { field: '/path' });
    }
    return createReadStream(path.join(this.paths(jobId, attemptNo).output, ...parts));
  }

  /** A running attempt's kept samples. */
  usage(jobId: string, attemptNo: number): JobUsageSample[] {
    const attempt = this.attempts.get(attemptKey(jobId, attemptNo));
    if (attempt?.run === undefined || attempt.state !== 'running') return [];
    return this.runner.usage(attempt.runId).map((sample) => ({
      atMs: sample.atMs,
      hostId: '',
      cpuPercent: sample.cpuPct,
      memoryBytes: sample.memoryBytes,
      ...(sample.gpu === undefined ? {} : gpuFigures(sample.gpu.gpus)),
    }));
  }

  /** Finds the attempts of `<dataDir>/jobs/` again after this agent started. */
  async restore(): Promise<void> {
    const dir = path.join(this.dataDir, 'jobs');
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const runId of names) {
      const match = /^(j-[0-9]+)\.([0-9]+)$/.exec(runId);
      if (match === null) continue;
      const [, jobId, attemptText] = match;
      const attempt: Attempt = { key: attemptKey(jobId!, Number(attemptText)), jobId: jobId!, attempt: Number(attemptText), runId, state: 'running', stopRequested: false };
      const found = await reattach(path.join(dir, runId));
      if (found.state === 'running') {
        attempt.startedAtMs = found.record.startedAtMs;
        attempt.pgid = found.record.pgid;
        this.watchReattached(attempt, found.record.pid!, found.record.procStartTicks);
      } else if (found.state === 'ended') {
        attempt.startedAtMs = found.end.startedAtMs;
        attempt.state = 'ended';
        attempt.end = endReport(found.end, { cpuSeconds: 0, peakMemoryBytes: 0 });
      } else {
        attempt.state = 'ended';
        attempt.end = { reason: 'exited', exitCode: null, signal: null, message: found.message, endedAtMs: Date.now(), usage: { cpuSeconds: 0, peakMemoryBytes: 0 } };
      }
      this.attempts.set(attempt.key, attempt);
      this.log.info('job found again after a restart', { jobId: attempt.jobId, attempt: attempt.attempt, state: attempt.state });
    }
  }

  /** Stops watching; running jobs go on (they are in their own process groups). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async launch(attempt: Attempt, request: WorkerJobStart): Promise<void> {
    try {
      const staged = await this.stager.stage(attempt.runId, request.inputs);
      if (attempt.stopRequested) throw new HopsError('VALIDATION', 'The job was stopped while its inputs were staged.');
      const run = await this.runner.runJob({
        jobId: attempt.runId,
        argv: request.argv,
        env: request.env,
        placement: { gpuIndices: request.gpuIndices, ...(request.rendezvous === undefined ? {} : { rendezvous: this.withInterface(request.rendezvous) }) },
        inputs: staged.inputs,
        ...(request.timeLimitMs === undefined ? {} : { timeLimitMs: request.timeLimitMs }),
      });
      attempt.run = run;
      attempt.startedAtMs = run.startedAtMs;
      attempt.state = 'running';
      this.changed();
      if (attempt.stopRequested) void this.runner.stop(attempt.runId).catch(() => undefined);
      const result = await run.done;
      this.ended(attempt, endReport(result, result.usage));
    } catch (err) {
      const staging = attempt.state === 'staging';
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn(staging ? 'job staging failed' : 'job failed to start', { jobId: attempt.jobId, attempt: attempt.attempt, problem: message });
      this.ended(attempt, {
        reason: attempt.stopRequested ? 'stopped' : staging ? 'staging-failed' : 'failed-to-start',
        exitCode: null,
        signal: null,
        message,
        endedAtMs: Date.now(),
        usage: { cpuSeconds: 0, peakMemoryBytes: 0 },
      });
    }
  }

  private withInterface(rendezvous: NonNullable<WorkerJobStart['rendezvous']>): JobRendezvous {
    const iface = this.networkInterface();
    return iface === undefined ? rendezvous : { ...rendezvous, networkInterface: iface };
  }

  private ended(attempt: Attempt, end: NonNullable<WorkerJobReport['end']>): void {
    attempt.state = 'ended';
    attempt.end = end;
    attempt.run = undefined;
    this.changed();
  }

  /** Polls a job found running after a restart until its process is gone. */
  private watchReattached(attempt: Attempt, pid: number, startTicks: number | undefined): void {
    const poll = async (): Promise<void> => {
      const proc = await readProcStat(pid);
      if (proc !== undefined && proc.state !== 'Z' && proc.startTicks === startTicks) {
        if (!this.closed) this.schedule(poll);
        return;
      }
      const message = 'It ended while its agent was restarting, so its exit code is not known; its logs are complete.';
      this.ended(attempt, { reason: attempt.stopRequested ? 'stopped' : 'exited', exitCode: null, signal: null, message, endedAtMs: Date.now(), usage: { cpuSeconds: 0, peakMemoryBytes: 0 } });
    };
    this.schedule(poll);
  }

  private schedule(work: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void work();
    }, reattachedPollMs);
    this.timers.add(timer);
  }

  private paths(jobId: string, attemptNo: number): JobPaths {
    return jobPaths(this.dataDir, `${jobId}.${attemptNo}`);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

export function attemptKey(jobId: string, attempt: number): string {
  return `${jobId}:${attempt}`;
}

function endReport(end: JobEnd, usage: Pick<JobUsage, 'cpuSeconds' | 'peakMemoryBytes'>): NonNullable<WorkerJobReport['end']> {
  return {
    reason: end.reason,
    exitCode: end.exitCode,
    signal: end.signal,
    ...(end.message === undefined ? {} : { message: end.message }),
    endedAtMs: end.endedAtMs,
    usage: { cpuSeconds: usage.cpuSeconds, peakMemoryBytes: usage.peakMemoryBytes },
  };
}

function gpuFigures(gpus: ReadonlyArray<{ utilizationPct: number | null; memoryUsedMiB: number }>): { gpuPercent?: number; gpuMemoryBytes?: number } {
  if (gpus.length === 0) return {};
  const utilisation = gpus.map((gpu) => gpu.utilizationPct ?? 0);
  return {
    gpuPercent: utilisation.reduce((a, b) => a + b, 0) / gpus.length,
    gpuMemoryBytes: gpus.reduce((sum, gpu) => sum + gpu.memoryUsedMiB * 1024 * 1024, 0),
  };
}
