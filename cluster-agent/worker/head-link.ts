/**
 * A worker's link to its head over HTTP: register (cluster token, protocol version
 * sent), then heartbeat with the latest sample at the interval the head asks for.
 * When the head is down or refuses, retry with capped exponential backoff — a version
 * mismatch is logged clearly and retried later, never a crash loop. A 404 from a
 * heartbeat means the head forgot this host, so it registers again. An https head is
 * dialled over mutual TLS (see `head-client.ts`).
 */
import {
  AGENT_PROTOCOL_VERSION,
  agentRoutes,
  blockRoutes,
  type BlockReportReply,
  type BlockReportRequest,
  type CorruptReplicaReport,
  type HeartbeatReply,
  type HeartbeatRequest,
  type RegisterReply,
  type RegisterRequest,
} from '../../protocol/agent-api.ts';
import type { WorkerJobReport } from '../../protocol/jobs-api.ts';
import { HopsError } from '../../protocol/errors.ts';
import type { HostInventory, HostRole, MetricsSample } from '../../protocol/host.ts';
import type { AgentLog } from '../log.ts';
import { backoffDelayMs } from '../../protocol/backoff.ts';
import { HeadClient, replyError, type HeadTls } from './head-client.ts';

/** What the link needs to introduce this host and report on it. */
export interface HeadLinkDeps {
  headUrl: string;
  /** Required for an https `headUrl`. */
  tls?: HeadTls;
  clusterToken: string;
  hostId: string;
  /** How the head can reach this agent, `host:port`. */
  address: string;
  roles: readonly HostRole[];
  agentVersion: string;
  /** Heartbeat interval until the head says otherwise; also the first backoff step. */
  heartbeatIntervalMs: number;
  inventory: () => Promise<HostInventory>;
  latestSample: () => MetricsSample | undefined;
  /** This worker's block reports: sent right after each registration, then every `intervalMs`. */
  blockReports?: BlockReports;
  /** The jobs this worker runs: reported in every heartbeat, and at once when one starts or ends. */
  jobs?: JobReporting;
  log: AgentLog;
}

/** How a worker reports its blocks to the head and acts on the answer. */
export interface BlockReports {
  intervalMs: number;
  /** Every block on disk, from a fresh scan. */
  collect: () => Promise<BlockReportRequest['blocks']>;
  /** Deletes what the head no longer wants. */
  apply: (reply: BlockReportReply) => Promise<void>;
}

/** How a worker's jobs ride on its heartbeats. */
export interface JobReporting {
  reports(): WorkerJobReport[];
  /** The head's answer: ended attempts it recorded, attempts to stop. */
  answer(answer: { recorded: string[]; toStop: string[] }): void;
  onChange(listener: () => void): () => void;
}

const requestTimeoutMs = 5000;
/** A block report can list a million blocks; the head takes longer to go through it. */
const reportTimeoutMs = 120_000;
const maxBackoffMs = 30_000;

/** The worker's registration and heartbeat loop. */
export class HeadLink {
  private readonly deps: HeadLinkDeps;
  private readonly client: HeadClient;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private intervalMs: number;
  private registered = false;
  private nextReportAtMs = 0;
  private stopWatchingJobs: (() => void) | undefined;
  /** A job started or ended since the last heartbeat was sent. */
  private jobsChanged = false;
  /** Whether the current sleep is the one between good heartbeats, which a job change cuts short. */
  private wakeForJobs = false;

  constructor(deps: HeadLinkDeps) {
    this.deps = deps;
    this.client = new HeadClient(deps.headUrl, deps.tls);
    this.intervalMs = deps.heartbeatIntervalMs;
  }

  /** Whether the head has accepted this host's registration (and not forgotten it since). */
  get isRegistered(): boolean {
    return this.registered;
  }

  /** Starts registering and heartbeating in the background. */
  start(): void {
    // A job that starts or ends is told to the head at once rather than at the next beat.
    this.stopWatchingJobs ??= this.deps.jobs?.onChange(() => {
      this.jobsChanged = true;
      if (this.wakeForJobs) this.wake?.();
    });
    this.loop ??= this.run();
  }

  /** Stops the loop, cancelling a request in flight, and waits for it to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.stopWatchingJobs?.();
    this.wake?.();
    await this.loop;
    this.client.close();
  }

  private async run(): Promise<void> {
    const { log } = this.deps;
    let failures = 0;
    let lastProblem = '';
    while (!this.abort.signal.aborted) {
      try {
        if (!this.registered) {
          await this.register();
        } else if (!(await this.heartbeat())) {
          log.warn('head no longer knows this host; registering again', { head: this.deps.headUrl });
          this.registered = false;
          continue;
        }
        if (this.deps.blockReports !== undefined && Date.now() >= this.nextReportAtMs) await this.reportBlocks(this.deps.blockReports);
        if (failures > 0) log.info('head reachable again', { head: this.deps.headUrl, afterFailures: failures });
        failures = 0;
        lastProblem = '';
        if (!this.jobsChanged) {
          this.wakeForJobs = true;
          await this.sleep(this.intervalMs);
          this.wakeForJobs = false;
        }
      } catch (err) {
        if (this.abort.signal.aborted) break;
        failures += 1;
        const delayMs = backoffDelayMs(failures - 1, { firstMs: this.deps.heartbeatIntervalMs, maxMs: maxBackoffMs, jitter: true });
        const problem = describe(err);
        // Log every change of problem, then only now and then, so a long outage is not a flood.
        if (problem !== lastProblem || failures % 10 === 0) {
          log.write(isVersionMismatch(err) ? 'error' : 'warn', this.registered ? 'heartbeat failed' : 'registration failed', {
            head: this.deps.headUrl,
            problem,
            failures,
            retryInMs: delayMs,
          });
          lastProblem = problem;
        }
        await this.sleep(delayMs);
      }
    }
  }

  private async register(): Promise<void> {
    const inventory = await this.deps.inventory();
    const body: RegisterRequest = {
      hostId: this.deps.hostId,
      hostname: inventory.hostname,
      address: this.deps.address,
      roles: [...this.deps.roles],
      agentVersion: this.deps.agentVersion,
      protocolVersion: AGENT_PROTOCOL_VERSION,
      inventory,
    };
    const reply = (await this.post(agentRoutes.register, body)) as RegisterReply;
    this.intervalMs = reply.heartbeatIntervalMs;
    this.registered = true;
    // A head that (re)learns of this host learns of its blocks at once.
    this.nextReportAtMs = 0;
    this.deps.log.info('registered with head', { head: this.deps.headUrl, heartbeatIntervalMs: this.intervalMs });
  }

  /** Sends one heartbeat; false when the head answered 404 (it does not know this host). */
  private async heartbeat(): Promise<boolean> {
    this.jobsChanged = false;
    const sample = this.deps.latestSample();
    if (sample === undefined) return true;
    const body: HeartbeatRequest = { hostId: this.deps.hostId, sample };
    const jobs = this.deps.jobs;
    if (jobs !== undefined) body.jobs = jobs.reports();
    try {
      const reply = (await this.post(agentRoutes.heartbeat, body)) as HeartbeatReply;
      jobs?.answer({ recorded: reply.jobsRecorded ?? [], toStop: reply.jobsToStop ?? [] });
      // A head that restarted, or that had declared this host dead, asks for its blocks now.
      if (reply.sendBlockReport === true) this.nextReportAtMs = 0;
      return true;
    } catch (err) {
      if (err instanceof HopsError && err.code === 'HOST_NOT_FOUND') return false;
      throw err;
    }
  }

  /**
   * Tells the head that a replica here failed its checksum; failures are logged (the head
   * also learns of it when it reads the replica).
   */
  reportCorrupt(blockId: string, reason: string): void {
    const body: CorruptReplicaReport = { hostId: this.deps.hostId, blockId, reason: reason.slice(0, 1000) };
    this.post(blockRoutes.corrupt, body).catch((err: unknown) => {
      this.deps.log.warn('reporting a corrupt replica to the head failed', { blockId, problem: describe(err) });
    });
  }

  /** Sends the full block report and deletes what the head no longer wants. */
  private async reportBlocks(reports: BlockReports): Promise<void> {
    const body: BlockReportRequest = { hostId: this.deps.hostId, blocks: await reports.collect() };
    try {
      await reports.apply((await this.post(blockRoutes.report, body, reportTimeoutMs)) as BlockReportReply);
    } catch (err) {
      if (err instanceof HopsError && err.code === 'HOST_NOT_FOUND') this.registered = false;
      throw err;
    }
    this.nextReportAtMs = Date.now() + reports.intervalMs;
  }

  /** POSTs JSON to the head; non-2xx answers become `HopsError`s with the head's code. */
  private async post(route: string, body: unknown, timeoutMs = requestTimeoutMs): Promise<unknown> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    const { status, text } = await this.client.post(route, body, this.deps.clusterToken, signal);
    if (status >= 200 && status < 300) return JSON.parse(text) as unknown;
    throw replyError(status, text, 'The head');
  }

  /** Waits `ms`, or less if the link is stopped meanwhile. */
  private sleep(ms: number): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function isVersionMismatch(err: unknown): boolean {
  return err instanceof HopsError && err.code === 'AGENT_VERSION_MISMATCH';
}

function describe(err: unknown): string {
  if (err instanceof HopsError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) {
    // An abort names its reason (the timeout) in the cause.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
