/**
 * The head's job service: the durable queue, the scheduling rounds, and the record of what
 * every worker runs.
 *
 * - **Submit** checks the specification, the user's rights and its paths, refuses a
 *   request the cluster can never run, and answers only once the job is in cluster.db.
 *   Submits that arrive together share one commit (one fsync).
 * - **Rounds**: after anything that may let a job start (a submit, an end, a host back), the
 *   pending jobs are placed (`placeJobs`); the starts are recorded, then sent to their
 *   workers. A start a worker cannot take puts the job back in the queue.
 * - **Reports**: each worker says, in each heartbeat, what it runs and how attempts ended.
 *   An end is recorded once the attempt's logs (and output) are kept in the project's
 *   filesystem; only then is the worker told it may forget it. A report of an attempt the
 *   head does not expect is answered by stopping it.
 * - **Node lost**: a host silent for `nodeLostAfterMs` loses its attempts: they fail with
 *   "node lost", go back to the queue if retries are left, and their GPUs stay held until
 *   the host says the attempt is gone, so no GPU is given twice.
 * - **Restart**: the active jobs are read back; jobs that were being started are sent again
 *   (a worker ignores an attempt it knows), the others wait for their workers' reports.
 */
import { randomInt } from 'node:crypto';
import type { AgentEvent } from '../../protocol/agent-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { ClusterHost } from '../../protocol/host.ts';
import type { Job, JobListReply, JobListQuery, JobLogChunk, JobLogStream, JobUsageSample, SubmitJobRequest, WorkerJobReport, WorkerJobStart } from '../../protocol/jobs-api.ts';
import { checkJobSpec, type JobState, type PendingReason } from '../../protocol/jobs.ts';
import type { User } from '../../protocol/projects.ts';
import { neverFits } from '../scheduler/never-fits.ts';
import { placeJobs } from '../scheduler/placement.ts';
import type { AgentLog } from '../log.ts';
import { attemptKey } from '../worker/worker-jobs.ts';
import { checkJobPaths, describeInputs } from './job-inputs.ts';
import { addressHost, allocationOf, describePlacement, placementOf, schedulerHosts, shareOf } from './job-placement.ts';
import { finalStates, type JobStore, type StoredJob } from './job-store.ts';
import { jobIdOf, logFileOf, seqOf, toJob } from './job-view.ts';
import type { JobWorkers } from './job-workers.ts';
import type { JobWriteback } from './job-writeback.ts';
import type { Namespace } from './namespace.ts';
import type { Cluster } from './cluster.ts';
import { requirePermission } from './permissions.ts';
import type { ProjectStore } from './project-store.ts';
import type { FileTransfers } from './file-transfers.ts';
import type { HostShare } from '../scheduler/cluster-snapshot.ts';

export interface JobServiceSettings {
  /** A host silent this long loses its running attempts ("node lost"). */
  nodeLostAfterMs: number;
  /** Time between rounds while jobs wait, so time limits and hosts coming back are noticed. */
  roundIntervalMs?: number;
}

export interface JobServiceDeps {
  store: JobStore;
  projects: ProjectStore;
  namespace: Namespace;
  transfers: Pick<FileTransfers, 'download'>;
  registry: Pick<Cluster, 'hosts' | 'subscribe'>;
  workers: JobWorkers;
  writeback: JobWriteback;
  log: AgentLog;
  now?: () => number;
}

type JobListener = (job: Job) => void;

/** What the head answers a worker's job reports with. */
export interface ReportAnswer {
  recorded: string[];
  toStop: string[];
}

/** The rendezvous port range of multi-host jobs (torchrun's default is 29500). */
const rendezvousPorts = { from: 29500, to: 29999 } as const;
const defaultRoundIntervalMs = 5000;
/** A host that accepted an attempt but reports without it this long after is sent it again. */
const resendAfterMs = 10_000;

export class JobService {
  private readonly deps: JobServiceDeps;
  private readonly settings: JobServiceSettings;
  private readonly now: () => number;
  /** Every job not ended, by submit number: the queue and what runs. */
  private readonly active = new Map<number, StoredJob>();
  private readonly reasons = new Map<number, PendingReason>();
  private readonly listeners = new Set<JobListener>();
  /** Ends reported per attempt (`jobId:attempt` → hostId → end), until the attempt is recorded. */
  private readonly ends = new Map<string, Map<string, NonNullable<WorkerJobReport['end']>>>();
  /** The hosts that reported each attempt (`jobId:attempt`) at least once: only they can lose it. */
  private readonly seenOn = new Map<string, Set<string>>();
  /** When each attempt being started was last accepted by its hosts. */
  private readonly sentAt = new Map<string, number>();
  /** Attempts whose write-back runs now. */
  private readonly finishing = new Set<string>();
  /** What abandoned attempts (node lost) still hold on hosts that may come back, by attempt. */
  private readonly stale = new Map<string, HostShare[]>();
  /** Jobs sent to their workers after a head restart, and not yet reported. */
  private readonly lostTimers = new Map<string, NodeJS.Timeout>();
  private roundTimer: NodeJS.Timeout | undefined;
  private roundRunning = false;
  private roundAgain = false;
  private ticker: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(settings: JobServiceSettings, deps: JobServiceDeps) {
    this.settings = settings;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Reads the active jobs back, sends again the ones being started, and starts the rounds. */
  start(): void {
    for (const job of this.deps.store.active()) this.active.set(job.seq, job);
    const starting = [...this.active.values()].filter((job) => job.state === 'starting');
    if (starting.length > 0) this.deps.log.info('jobs being started when the head stopped are sent again', { jobs: starting.length });
    for (const job of starting) void this.dispatch(job);
    this.unsubscribe = this.deps.registry.subscribe((event) => this.hostEvent(event));
    // Hosts already silent when the head starts are judged as if they had just gone silent.
    for (const host of this.deps.registry.hosts()) if (host.state === 'unreachable') this.watchLost(host.hostId);
    this.ticker = setInterval(() => this.soon(), this.settings.roundIntervalMs ?? defaultRoundIntervalMs);
    this.ticker.unref();
    this.soon();
  }

  /** Stops the rounds and timers; jobs run on, and are found again at the next start. */
  close(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.ticker);
    clearTimeout(this.roundTimer);
    for (const timer of this.lostTimers.values()) clearTimeout(timer);
    this.lostTimers.clear();
  }

  /** Calls `listener` with every job that changes state. */
  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether `caller` may see the jobs of `project` (a member, or the cluster admin). */
  canSee(caller: User, project: string): boolean {
    if (caller.admin) return true;
    const record = this.deps.projects.project(project);
    return record !== undefined && this.deps.projects.member(record.id, caller.name) !== undefined;
  }

  // Submitting.

  async submit(caller: User, request: SubmitJobRequest, scheduleId: string | null = null): Promise<Job> {
    const spec = checkJobSpec(request.spec);
    if (request.requestId !== undefined) {
      const earlier = this.deps.store.byRequest(caller.name, request.requestId);
      if (earlier !== undefined) return this.view(earlier);
    }
    this.requireRun(caller, spec.project);
    checkJobPaths(this.deps.namespace, caller, spec);
    const after = [...new Set(request.after ?? [])];
    for (const [index, jobId] of after.entries()) {
      const seq = seqOf(jobId);
      const earlier = seq === undefined ? undefined : (this.active.get(seq) ?? this.deps.store.get(seq));
      if (earlier === undefined || !this.canSee(caller, earlier.project)) {
        throw new HopsError('JOB_NOT_FOUND', `Job ${jobId}, which this job is to run after, does not exist.`, { field: `/after/${index}` });
      }
    }
    const shortfall = neverFits(spec, schedulerHosts(this.deps.registry.hosts()));
    if (shortfall !== undefined) throw new HopsError('JOB_NEVER_FITS', `This cluster can never run the job: it ${shortfall}.`, { field: '/resources' });
    // Acknowledged only once on disk; submits arriving together share one commit.
    const job = await this.deps.store.commitTogether(() => {
      // Checked again inside the transaction: two submits with one request id may race.
      const earlier = request.requestId === undefined ? undefined : this.deps.store.byRequest(caller.name, request.requestId);
      if (earlier !== undefined) return earlier;
      return this.deps.store.insert({
        project: spec.project,
        spec,
        after,
        scheduleId,
        requestId: request.requestId ?? null,
        submittedBy: caller.name,
        submittedAtMs: this.now(),
      });
    });
    if (!this.active.has(job.seq) && !finalStates.includes(job.state)) {
      this.active.set(job.seq, job);
      this.publish(job);
      this.soon();
    }
    return this.view(this.active.get(job.seq) ?? job);
  }

  /** Throws FORBIDDEN unless `caller` may run code in `project`. */
  requireRun(caller: User, project: string): void {
    const record = this.deps.projects.project(project);
    if (record === undefined) throw new HopsError('PROJECT_NOT_FOUND', `There is no project "${project}".`, { field: '/project' });
    const role = this.deps.projects.member(record.id, caller.name)?.role ?? null;
    requirePermission(caller, { name: project, role }, 'code.run', 'running jobs');
  }

  // Reading.

  get(caller: User, jobId: string): Job {
    return this.view(this.mustFind(caller, jobId));
  }

  list(caller: User, query: JobListQuery): JobListReply {
    const limit = query.limit ?? 100;
    const states = query.state === undefined || query.state === '' ? null : (query.state.split(',').filter((s) => s !== '') as JobState[]);
    const known: readonly string[] = ['pending', 'starting', 'running', 'stopping', 'succeeded', 'failed', 'stopped'];
    const unknown = states?.find((state) => !known.includes(state));
    if (unknown !== undefined) throw new HopsError('VALIDATION', `"${unknown}" is not a job state; use ${known.join(', ')}.`, { field: '/state' });
    let projects: string[] | null;
    if (query.project !== undefined) {
      if (!this.canSee(caller, query.project)) requirePermission(caller, { name: query.project, role: null }, 'project.read', 'listing jobs');
      projects = [query.project];
    } else {
      projects = caller.admin ? null : this.deps.projects.projectsOf(caller.name).map((project) => project.name);
    }
    const beforeSeq = query.before === undefined ? null : (seqOf(query.before) ?? null);
    const rows = this.deps.store.page({ projects, states, beforeSeq, limit: limit + 1 });
    const jobs = rows.slice(0, limit).map((row) => this.view(this.active.get(row.seq) ?? row));
    const last = rows.length > limit ? jobs.at(-1) : undefined;
    return last === undefined ? { jobs } : { jobs, next: last.jobId };
  }

  // Changing.

  /** Stops a job: out of the queue when pending, SIGTERM then SIGKILL on its hosts when placed. */
  async stop(caller: User, jobId: string): Promise<Job> {
    const job = this.mustFind(caller, jobId);
    this.requireRun(caller, job.project);
    if (finalStates.includes(job.state)) throw new HopsError('JOB_ENDED', `Job ${jobId} already ended (${job.state}).`);
    if (job.state === 'pending') {
      this.finalize(job, 'stopped', { reason: 'stopped', message: `stopped by ${caller.name} before it started` });
      return this.view(job);
    }
    if (!job.stopRequested) {
      job.stopRequested = true;
      this.transition(job, 'stopping', `stop asked by ${caller.name}`);
    }
    for (const host of job.placement?.hosts ?? []) {
      this.deps.workers.stop(host.hostId, jobId, job.attempt).catch((err: Error) => this.deps.log.warn('stop not delivered', { jobId, hostId: host.hostId, problem: err.message }));
    }
    return this.view(job);
  }

  /** Queues an ended job again as its next attempt. */
  async retry(caller: User, jobId: string): Promise<Job> {
    const job = this.mustFind(caller, jobId);
    this.requireRun(caller, job.project);
    if (!finalStates.includes(job.state)) throw new HopsError('JOB_NOT_ENDED', `Job ${jobId} is ${job.state}; only an ended job can be retried.`);
    checkJobPaths(this.deps.namespace, caller, job.spec);
    this.requeue(job, `retry asked by ${caller.name}`);
    this.active.set(job.seq, job);
    this.publish(job);
    this.soon();
    return this.view(job);
  }

  // Logs and use.

  /** A piece of a log: from the worker while the attempt runs, from the project's filesystem once kept. */
  async readLog(caller: User, jobId: string, stream: JobLogStream, offset: number, length: number): Promise<JobLogChunk> {
    const job = this.mustFind(caller, jobId);
    const live = !finalStates.includes(job.state) || this.finishing.has(attemptKey(jobId, job.attempt));
    const first = job.placement?.hosts.find((host) => host.rank === 0);
    if (first === undefined) return { stream, offset, data: '', size: 0, live };
    if (live) {
      const piece = await this.deps.workers.readLog(first.hostId, jobId, job.attempt, stream, offset, length).catch(() => ({ data: Buffer.alloc(0), size: offset }));
      return { stream, offset, data: wholeCharacters(piece.data), size: piece.size, live: !finalStates.includes(job.state) || this.finishing.has(attemptKey(jobId, job.attempt)) };
    }
    try {
      const file = logFileOf(job, job.attempt, stream);
      const download = await this.deps.transfers.download(caller, file, { offset, length });
      const chunks: Buffer[] = [];
      for await (const chunk of download.stream as AsyncIterable<Buffer>) chunks.push(chunk);
      return { stream, offset, data: wholeCharacters(Buffer.concat(chunks)), size: download.stat.size, live: false };
    } catch (err) {
      if (err instanceof HopsError && (err.code === 'PATH_NOT_FOUND' || err.code === 'RANGE_NOT_SATISFIABLE')) return { stream, offset, data: '', size: 0, live: false };
      throw err;
    }
  }

  async usage(caller: User, jobId: string): Promise<JobUsageSample[]> {
    const job = this.mustFind(caller, jobId);
    if (job.state !== 'running' && job.state !== 'stopping') return [];
    const samples = await Promise.all(
      (job.placement?.hosts ?? []).map((host) => this.deps.workers.usage(host.hostId, jobId, job.attempt).catch(() => [])),
    );
    return samples.flat().sort((a, b) => a.atMs - b.atMs);
  }

  // Workers' reports.

  /** Takes in what `hostId` runs; says which ended attempts are recorded and which to stop. */
  applyReports(hostId: string, reports: readonly WorkerJobReport[]): ReportAnswer {
    const answer: ReportAnswer = { recorded: [], toStop: [] };
    const reported = new Set<string>();
    for (const report of reports) {
      const key = attemptKey(report.jobId, report.attempt);
      reported.add(key);
      const seq = seqOf(report.jobId);
      const job = seq === undefined ? undefined : this.active.get(seq);
      const placed = job !== undefined && job.attempt === report.attempt && job.placement?.hosts.some((host) => host.hostId === hostId) === true;
      if (!placed || job === undefined) {
        // An attempt this head gave up on (node lost, stopped, or not its own): stop it, forget it once ended.
        if (report.state === 'ended') {
          answer.recorded.push(key);
          this.releaseStale(key, hostId);
        } else answer.toStop.push(key);
        continue;
      }
      this.clearLostTimer(key);
      let seen = this.seenOn.get(key);
      if (seen === undefined) this.seenOn.set(key, (seen = new Set()));
      seen.add(hostId);
      if (report.state !== 'staging' && job.state === 'starting') {
        job.startedAtMs = report.startedAtMs ?? this.now();
        this.transition(job, 'running', `running on ${describePlacement(job.placement!.hosts)}`);
      }
      if (report.state === 'ended' && report.end !== undefined) {
        let ends = this.ends.get(key);
        if (ends === undefined) this.ends.set(key, (ends = new Map()));
        ends.set(hostId, report.end);
        this.endReported(job, key, ends);
      }
    }
    this.resendUnseen(hostId, reported);
    // Attempts this host reported before but no longer does: it lost them. (A host of a gang that has not
    // yet reported the attempt may simply not have received it yet.)
    for (const job of this.active.values()) {
      const key = attemptKey(jobIdOf(job.seq), job.attempt);
      if (job.state !== 'running' && job.state !== 'stopping') continue;
      if (reported.has(key) || this.finishing.has(key) || this.ends.get(key)?.has(hostId) === true) continue;
      if (this.seenOn.get(key)?.has(hostId) !== true) continue;
      this.abandon(job, 'node-lost', `${hostId} no longer knows this job (its agent lost the job's directory)`);
    }
    return answer;
  }

  /** An attempt ended on one host: the others of a gang are stopped; once all ended it is recorded. */
  private endReported(job: StoredJob, key: string, ends: Map<string, NonNullable<WorkerJobReport['end']>>): void {
    const hosts = job.placement?.hosts ?? [];
    const failed = [...ends.values()].some((end) => end.reason !== 'exited' || end.exitCode !== 0);
    if (failed && ends.size < hosts.length) {
      for (const host of hosts) if (!ends.has(host.hostId)) this.deps.workers.stop(host.hostId, jobIdOf(job.seq), job.attempt).catch(() => undefined);
    }
    if (ends.size < hosts.length || this.finishing.has(key)) return;
    this.finishing.add(key);
    void this.finish(job, key, ends);
  }

  /** Keeps the logs and output, then records the end (or the next attempt). */
  private async finish(job: StoredJob, key: string, ends: Map<string, NonNullable<WorkerJobReport['end']>>): Promise<void> {
    const rank0 = job.placement!.hosts.find((host) => host.rank === 0)!;
    const first = ends.get(rank0.hostId)!;
    const all = [...ends.values()];
    const worst = all.find((end) => end.reason !== 'exited' || end.exitCode !== 0) ?? first;
    const succeeded = all.every((end) => end.reason === 'exited' && end.exitCode === 0);
    const problems = await this.deps.writeback.keep(job, true);
    if (this.stopped) return;
    const usage = {
      cpuSeconds: all.reduce((sum, end) => sum + end.usage.cpuSeconds, 0),
      peakMemoryBytes: Math.max(...all.map((end) => end.usage.peakMemoryBytes)),
    };
    job.usage = usage;
    const stopped = job.stopRequested || worst.reason === 'stopped';
    const words = endWords(worst, job.spec.timeLimitMs);
    const message = [worst.message, ...problems.map((problem) => `Note: ${problem}.`)].filter((part) => part !== undefined && part !== '').join(' ');
    const end = { reason: worst.reason, exitCode: worst.exitCode, signal: worst.signal, message, endedAtMs: Math.max(...all.map((e) => e.endedAtMs)) };
    this.finishing.delete(key);
    this.ends.delete(key);
    this.seenOn.delete(key);
    this.sentAt.delete(key);
    if (succeeded) this.finalize(job, 'succeeded', end, 'succeeded');
    else if (stopped) this.finalize(job, 'stopped', end, 'stopped');
    else this.failOrRetry(job, end, words);
  }

  private failOrRetry(job: StoredJob, end: EndFields, words: string): void {
    if (job.retriesLeft > 0) {
      this.recordEnd(job, end);
      job.retriesLeft -= 1;
      const used = (job.spec.retries ?? 0) - job.retriesLeft;
      this.requeue(job, `attempt ${job.attempt} ${words}; retrying (${used} of ${job.spec.retries ?? 0})`);
      this.deps.store.update(job);
      this.publish(job);
      this.soon();
      return;
    }
    this.finalize(job, 'failed', end, words);
  }

  // Hosts.

  private hostEvent(event: AgentEvent): void {
    if (event.type === 'host.state') {
      if (event.host.state === 'unreachable') this.watchLost(event.host.hostId);
      else {
        this.clearLostTimer(`host:${event.host.hostId}`);
        this.soon();
      }
    } else if (event.type === 'host.removed') {
      this.loseHost(event.hostId, 'was removed from the cluster');
    }
  }

  private watchLost(hostId: string): void {
    const key = `host:${hostId}`;
    if (this.lostTimers.has(key)) return;
    const timer = setTimeout(() => {
      this.lostTimers.delete(key);
      const host = this.deps.registry.hosts().find((h) => h.hostId === hostId);
      if (host === undefined || host.state === 'unreachable') {
        const since = host === undefined ? '' : ` at ${new Date(host.latest?.atMs ?? this.now()).toISOString().slice(11, 19)} UTC`;
        this.loseHost(hostId, `stopped answering${since}`);
      }
    }, this.settings.nodeLostAfterMs);
    timer.unref();
    this.lostTimers.set(key, timer);
  }

  private clearLostTimer(key: string): void {
    const timer = this.lostTimers.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.lostTimers.delete(key);
  }

  /** Every attempt placed on `hostId` fails with "node lost". */
  private loseHost(hostId: string, why: string): void {
    for (const job of [...this.active.values()]) {
      if (job.state === 'pending' || job.placement?.hosts.some((host) => host.hostId === hostId) !== true) continue;
      this.abandon(job, 'node-lost', `node lost: ${hostId} ${why}`);
    }
  }

  /**
   * Gives up on a placed attempt without its end from the workers: its other hosts are told
   * to stop it, and what it held stays held until each host reports it gone.
   */
  private abandon(job: StoredJob, reason: 'node-lost', message: string): void {
    const jobId = jobIdOf(job.seq);
    const key = attemptKey(jobId, job.attempt);
    if (this.finishing.has(key)) return;
    this.stale.set(key, (job.placement?.hosts ?? []).map(shareOf));
    for (const host of job.placement?.hosts ?? []) this.deps.workers.stop(host.hostId, jobId, job.attempt).catch(() => undefined);
    this.ends.delete(key);
    this.seenOn.delete(key);
    this.sentAt.delete(key);
    const end = { reason, exitCode: null, signal: null, message, endedAtMs: this.now() };
    this.deps.log.warn('job attempt lost with its host', { jobId, attempt: job.attempt, message });
    if (job.stopRequested) this.finalize(job, 'stopped', end, 'stopped');
    else this.failOrRetry(job, end, `lost its host (${message})`);
  }

  /** A host no longer runs an abandoned attempt: what it held there is free. */
  private releaseStale(key: string, hostId: string): void {
    const shares = this.stale.get(key);
    if (shares === undefined) return;
    const left = shares.filter((share) => share.hostId !== hostId);
    if (left.length === 0) this.stale.delete(key);
    else this.stale.set(key, left);
    this.soon();
  }

  // Rounds.

  /** Runs a round soon; rounds asked for meanwhile are folded into one. */
  soon(): void {
    if (this.stopped) return;
    if (this.roundRunning) {
      this.roundAgain = true;
      return;
    }
    if (this.roundTimer !== undefined) return;
    this.roundTimer = setTimeout(() => {
      this.roundTimer = undefined;
      this.round();
    }, 0);
  }

  private round(): void {
    this.roundRunning = true;
    try {
      this.place();
    } catch (err) {
      this.deps.log.error('scheduling round failed', { err });
    } finally {
      this.roundRunning = false;
      if (this.roundAgain) {
        this.roundAgain = false;
        this.soon();
      }
    }
  }

  private place(): void {
    const hosts = this.deps.registry.hosts();
    const queue = [];
    const allocations = [];
    for (const job of this.active.values()) {
      if (job.state === 'pending') {
        if (this.ready(job)) queue.push({ jobId: jobIdOf(job.seq), submitSeq: job.seq, spec: job.spec });
      } else {
        const allocation = allocationOf(job);
        if (allocation !== undefined) allocations.push(allocation);
      }
    }
    for (const [key, shares] of this.stale) allocations.push({ jobId: `stale:${key}`, project: '', hosts: shares, endsByMs: null });
    if (queue.length === 0) return;
    const result = placeJobs({ nowMs: this.now(), hosts: schedulerHosts(hosts), allocations }, queue);
    for (const decision of result.pending) this.reasons.set(seqOf(decision.jobId)!, decision.reason);
    if (result.starts.length === 0) return;
    const started: StoredJob[] = [];
    this.deps.store.transaction(() => {
      for (const start of result.starts) {
        const job = this.active.get(seqOf(start.jobId)!)!;
        const placement = placementOf(start.hosts);
        job.placement = placement.length > 1 ? { hosts: placement, masterPort: randomInt(rendezvousPorts.from, rendezvousPorts.to + 1) } : { hosts: placement };
        this.reasons.delete(job.seq);
        this.transition(job, 'starting', `placed on ${describePlacement(placement)}`, false);
        started.push(job);
      }
    });
    for (const job of started) {
      this.publish(job);
      void this.dispatch(job);
    }
  }

  /** Whether a pending job's `after` jobs have all succeeded; one that failed fails it too. */
  private ready(job: StoredJob): boolean {
    for (const jobId of job.after) {
      const seq = seqOf(jobId)!;
      const before = this.active.get(seq) ?? this.deps.store.get(seq);
      if (before === undefined || before.state === 'failed' || before.state === 'stopped') {
        this.finalize(job, 'failed', { reason: 'dependency-failed', message: `job ${jobId}, which it runs after, ${before?.state ?? 'no longer exists'}` });
        return false;
      }
      if (before.state !== 'succeeded') {
        this.reasons.set(job.seq, { kind: 'behind', message: `waiting for job ${jobId} to succeed (it is ${before.state})`, blockedBy: jobId });
        return false;
      }
    }
    return true;
  }

  /** Sends a placed attempt to its hosts; a host that cannot take it puts the job back in the queue. */
  private async dispatch(job: StoredJob): Promise<void> {
    const jobId = jobIdOf(job.seq);
    const attempt = job.attempt;
    const placement = job.placement!;
    try {
      const requests = placement.hosts.map((host) => [host.hostId, this.startRequest(job, host.hostId)] as const);
      await Promise.all(requests.map(([hostId, request]) => this.deps.workers.start(hostId, request)));
      this.sentAt.set(attemptKey(jobId, attempt), this.now());
    } catch (err) {
      if (job.attempt !== attempt || job.state !== 'starting') return;
      for (const host of placement.hosts) this.deps.workers.stop(host.hostId, jobId, attempt).catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof HopsError && err.status < 500 && err.code !== 'HOST_NOT_FOUND') {
        this.finalize(job, 'failed', { reason: 'failed-to-start', message });
        return;
      }
      // The host could not be reached: the attempt never began, so it does not count as one.
      this.stale.set(attemptKey(jobId, attempt), placement.hosts.map(shareOf));
      job.placement = null;
      this.transition(job, 'pending', `could not be started (${message}); back in the queue`);
      this.soon();
    }
  }

  /** What `hostId` is told to run of the job's current attempt. */
  private startRequest(job: StoredJob, hostId: string): WorkerJobStart {
    const placement = job.placement!;
    const hosts = this.deps.registry.hosts();
    const host = placement.hosts.find((h) => h.hostId === hostId)!;
    const launch = describeInputs(this.deps.namespace, this.userOf(job.submittedBy), job.spec, hosts, hostId);
    const request: WorkerJobStart = {
      jobId: jobIdOf(job.seq),
      attempt: job.attempt,
      argv: launch.argv,
      env: job.spec.env ?? {},
      gpuIndices: host.gpus,
      inputs: launch.inputs,
      ...(job.spec.timeLimitMs === undefined ? {} : { timeLimitMs: job.spec.timeLimitMs }),
    };
    const first = hosts.find((h) => h.hostId === placement.hosts[0]?.hostId);
    if (placement.hosts.length > 1 && first !== undefined) {
      request.rendezvous = { masterAddr: addressHost(first.address), masterPort: placement.masterPort!, worldSize: placement.hosts.length, rank: host.rank };
    }
    return request;
  }

  /**
   * A host reporting without an attempt it accepted a while ago never began it (its agent
   * restarted before the attempt's directory was made): it is sent the start again, which
   * it ignores if it does know the attempt after all.
   */
  private resendUnseen(hostId: string, reported: ReadonlySet<string>): void {
    const now = this.now();
    for (const job of this.active.values()) {
      if (job.state !== 'starting' || job.placement?.hosts.some((host) => host.hostId === hostId) !== true) continue;
      const key = attemptKey(jobIdOf(job.seq), job.attempt);
      const sentAt = this.sentAt.get(key);
      if (sentAt === undefined || reported.has(key) || this.seenOn.get(key)?.has(hostId) === true || now - sentAt < resendAfterMs) continue;
      this.sentAt.set(key, now);
      this.deps.log.warn('a worker does not report a job it accepted; sending it again', { jobId: jobIdOf(job.seq), hostId });
      Promise.resolve()
        .then(() => this.deps.workers.start(hostId, this.startRequest(job, hostId)))
        .catch((err: Error) => this.deps.log.warn('sending a job again failed', { jobId: jobIdOf(job.seq), hostId, problem: err.message }));
    }
  }

  // State changes, each written before anyone is told.

  private transition(job: StoredJob, state: JobState, message: string, publish = true): void {
    job.state = state;
    job.timeline.push({ atMs: this.now(), state, message });
    this.deps.store.update(job);
    if (publish) this.publish(job);
  }

  private recordEnd(job: StoredJob, end: EndFields): void {
    job.endReason = end.reason;
    job.exitCode = end.exitCode ?? null;
    job.signal = end.signal ?? null;
    job.message = end.message === undefined || end.message === '' ? null : end.message;
    job.endedAtMs = end.endedAtMs ?? this.now();
  }

  private finalize(job: StoredJob, state: 'succeeded' | 'failed' | 'stopped', end: EndFields, words?: string): void {
    this.forgetAttempt(job);
    this.recordEnd(job, end);
    this.reasons.delete(job.seq);
    this.active.delete(job.seq);
    this.transition(job, state, words ?? end.message ?? state);
    this.soon();
  }

  /** What is kept in memory about the job's current attempt, no longer needed once it is over. */
  private forgetAttempt(job: StoredJob): void {
    const key = attemptKey(jobIdOf(job.seq), job.attempt);
    this.sentAt.delete(key);
    this.seenOn.delete(key);
  }

  private requeue(job: StoredJob, message: string): void {
    this.forgetAttempt(job);
    job.attempt += 1;
    job.placement = null;
    job.startedAtMs = null;
    job.endedAtMs = null;
    job.stopRequested = false;
    if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'stopped') {
      job.endReason = null;
      job.exitCode = null;
      job.signal = null;
      job.message = null;
    }
    job.state = 'pending';
    job.timeline.push({ atMs: this.now(), state: 'pending', message });
  }

  private publish(job: StoredJob): void {
    const view = this.view(job);
    for (const listener of this.listeners) {
      try {
        listener(view);
      } catch (err) {
        this.deps.log.error('job event subscriber failed', { err });
      }
    }
  }

  private view(job: StoredJob): Job {
    return toJob(job, this.reasons.get(job.seq));
  }

  private mustFind(caller: User, jobId: string): StoredJob {
    const seq = seqOf(jobId);
    const job = seq === undefined ? undefined : (this.active.get(seq) ?? this.deps.store.get(seq));
    if (job === undefined || !this.canSee(caller, job.project)) throw new HopsError('JOB_NOT_FOUND', `There is no job ${jobId}.`);
    return job;
  }

  private userOf(name: string): User {
    const record = this.deps.projects.user(name);
    if (record === undefined) throw new HopsError('USER_NOT_FOUND', `The job's submitter ${name} no longer exists.`);
    return { name: record.name, admin: record.admin, createdAtMs: record.createdAtMs };
  }

}

interface EndFields {
  reason: NonNullable<StoredJob['endReason']>;
  exitCode?: number | null;
  signal?: string | null;
  message?: string;
  endedAtMs?: number;
}

/** How an attempt ended, in a few words for its timeline. */
function endWords(end: NonNullable<WorkerJobReport['end']>, timeLimitMs: number | undefined): string {
  switch (end.reason) {
    case 'exited':
      return end.exitCode === null ? 'ended (exit code unknown)' : `exited with code ${end.exitCode}`;
    case 'time-limit':
      return `was stopped at its time limit${timeLimitMs === undefined ? '' : ` of ${Math.round(timeLimitMs / 1000)} s`}`;
    case 'failed-to-start':
      return `could not start: ${end.message ?? ''}`.trim();
    case 'staging-failed':
      return `could not stage its inputs: ${end.message ?? ''}`.trim();
    default:
      return end.reason;
  }
}

/** Text of a log piece, without a character cut at its end (the next read starts with it). */
function wholeCharacters(data: Buffer): string {
  let end = data.length;
  // Step back over a UTF-8 sequence the piece ends inside.
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = data[end - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (need > back) end -= back;
    break;
  }
  return data.subarray(0, end).toString('utf8');
}
