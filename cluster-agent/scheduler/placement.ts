/**
 * Placement: a pure function from the cluster as it is (hosts, what running jobs hold) and
 * the queue of pending jobs to decisions — which jobs start now on exactly which hosts, GPU
 * indices, CPUs and memory, and why each other job waits. The rules are in docs/scheduler.md.
 *
 * Jobs take turns (turn-order.ts). A job starts if it fits what is free over its window
 * (now to now + its time limit, or forever without one) once the reservations of blocked
 * jobs ahead of it are taken out. A job that does not fit gets a reservation, up to
 * `reservationDepth` of them: the earliest time running jobs' time limits free enough for
 * it, and the hosts it would take then. A later job may use reserved resources only if it
 * ends, by its time limit, before the reservation begins — backfill that never delays the
 * blocked job. Without time limits nothing can be estimated, so the reservation holds its
 * resources from now on (the conservative rule).
 */
import type { PendingReason } from '../../protocol/jobs.ts';
import { formatDuration } from '../../protocol/quantities.ts';
import type { ClusterSnapshot, HostShare, QueuedJob, SchedulerHost } from './cluster-snapshot.ts';
import { hasLabels, jobDemand, type JobDemand } from './demand.ts';
import { fitDemand } from './fit.ts';
import { Ledger, type Claim } from './ledger.ts';
import { capacityShortfall } from './never-fits.ts';
import { waitingReason } from './reasons.ts';
import { TurnOrder } from './turn-order.ts';

export const placementDefaults = {
  /** Blocked jobs that hold a reservation; later ones wait without one, as in Slurm's backfill depth. */
  reservationDepth: 16,
} as const;

export interface PlacementOptions {
  reservationDepth?: number;
  /** Each project's fair-share weight; 1 for a project not named. */
  projectShares?: Readonly<Record<string, number>>;
}

export interface JobStart {
  jobId: string;
  project: string;
  hosts: HostShare[];
  /** Now plus its time limit; null without one. */
  endsByMs: number | null;
}

/** Where and when a blocked job is to start. */
export interface Reservation {
  /** The latest it starts at, as running jobs' time limits say; null when jobs without a time limit hold what it needs. */
  fromMs: number | null;
  hosts: HostShare[];
}

export interface PendingDecision {
  jobId: string;
  reason: PendingReason;
  reservation?: Reservation;
}

export interface PlacementResult {
  /** In the order they were decided. */
  starts: JobStart[];
  /** In the order the jobs had their turns. */
  pending: PendingDecision[];
}

interface HeldReservation {
  job: QueuedJob;
  fromMs: number | null;
}

/** Why a demand over a window did not fit, valid while the ledger stays at `version`. */
interface Refusal {
  version: number;
  blocker: HeldReservation | undefined;
  waiting: PendingReason | undefined;
  /** No reservation could be found for it at this version either. */
  unreservable: boolean;
}

/** What identifies a demand for memoizing: everything but its time limit. */
function demandKey(demand: JobDemand): string {
  return JSON.stringify([demand.shape, demand.gpus, demand.gpusPerHost, demand.hosts, demand.cpus, demand.memoryBytes, demand.model, demand.labels]);
}

/**
 * Which pending jobs of `queue` start now on `cluster`, and where; why the others wait.
 * Pure: the same snapshot and queue give the same decisions.
 */
export function placeJobs(cluster: ClusterSnapshot, queue: QueuedJob[], options: PlacementOptions = {}): PlacementResult {
  const now = cluster.nowMs;
  const depth = options.reservationDepth ?? placementDefaults.reservationDepth;
  const ledger = new Ledger();
  const order = new TurnOrder(
    queue.map((job) => ({ job, demand: jobDemand(job.spec) })),
    options.projectShares ?? {},
  );
  for (const allocation of cluster.allocations) {
    // A job past its time limit still holds its resources until it is gone: it counts as ending in the next instant.
    const untilMs = Math.max(allocation.endsByMs ?? Infinity, now + 1);
    for (const share of allocation.hosts) ledger.add({ jobId: allocation.jobId, kind: 'running', fromMs: -Infinity, untilMs, share });
    order.charge(allocation.project, allocation.hosts);
  }
  const healthy = cluster.hosts.filter((host) => host.state === 'healthy');
  const starts: JobStart[] = [];
  const pending: PendingDecision[] = [];
  const reservations: HeldReservation[] = [];
  // Long queues repeat a few shapes: a shape refused over a window stays refused until the ledger changes.
  const shortfalls = new Map<string, string | undefined>();
  const refusals = new Map<string, Refusal>();

  for (let turn = order.next(); turn !== undefined; turn = order.next()) {
    const { job, demand } = turn;
    const key = demandKey(demand);
    if (!shortfalls.has(key)) shortfalls.set(key, capacityShortfall(demand, cluster.hosts, { verb: 'asks', adjective: '' }));
    const never = shortfalls.get(key);
    if (never !== undefined) {
      pending.push({ jobId: job.jobId, reason: { kind: 'never-fits', message: never } });
      continue;
    }
    const eligible = healthy.filter((host) => hasLabels(host, demand));
    const untilMs = demand.timeLimitMs === null ? Infinity : now + demand.timeLimitMs;
    const windowKey = `${key}|${untilMs}`;
    let refusal = refusals.get(windowKey);
    if (refusal === undefined || refusal.version !== ledger.version) {
      const available = eligible.map((host) => ledger.free(host, now, untilMs));
      const hosts = fitDemand(demand, available);
      if (hosts !== undefined) {
        for (const share of hosts) ledger.add({ jobId: job.jobId, kind: 'started', fromMs: now, untilMs, share });
        order.charge(job.spec.project, hosts);
        starts.push({ jobId: job.jobId, project: job.spec.project, hosts, endsByMs: demand.timeLimitMs === null ? null : untilMs });
        continue;
      }
      const blocker = blockingReservation(demand, eligible, ledger, reservations, now, untilMs);
      const waiting = blocker === undefined ? waitingReason(demand, cluster.hosts, available) : undefined;
      refusal = { version: ledger.version, blocker, waiting, unreservable: false };
      refusals.set(windowKey, refusal);
    }
    const reason = refusal.blocker === undefined ? { ...refusal.waiting! } : behindReason(job, refusal.blocker.job);
    const decision: PendingDecision = { jobId: job.jobId, reason };
    if (reason.kind !== 'no-eligible-host' && reservations.length < depth && !refusal.unreservable) {
      const reservation = reserve(demand, eligible, ledger, now);
      if (reservation === undefined) {
        refusal.unreservable = true;
      } else {
        hold(job, demand, reservation, ledger, now);
        reservations.push({ job, fromMs: reservation.fromMs });
        decision.reservation = reservation;
        tellExpectedStart(reason, reservation, now);
      }
    }
    pending.push(decision);
  }
  return { starts, pending };
}

/**
 * The reservation that keeps a job from starting now: the first whose resources, with
 * those of every reservation before it, would let the job fit if they were free. Freeing
 * more never hurts a fit, so the first such reservation is found by bisection.
 */
function blockingReservation(
  demand: JobDemand,
  eligible: SchedulerHost[],
  ledger: Ledger,
  reservations: HeldReservation[],
  fromMs: number,
  untilMs: number,
): HeldReservation | undefined {
  const fitsWithoutFirst = (count: number) => {
    const ignored = new Set(reservations.slice(0, count).map((reservation) => reservation.job.jobId));
    const ignore = (claim: Claim) => claim.kind === 'reserved' && ignored.has(claim.jobId);
    return fitDemand(demand, eligible.map((host) => ledger.free(host, fromMs, untilMs, ignore))) !== undefined;
  };
  if (reservations.length === 0 || !fitsWithoutFirst(reservations.length)) return undefined;
  let low = 1;
  let high = reservations.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (fitsWithoutFirst(middle)) high = middle;
    else low = middle + 1;
  }
  return reservations[low - 1];
}

/** Claims a reservation's resources from its start (from now, when the start is unknown) for the job's time limit. */
function hold(job: QueuedJob, demand: JobDemand, reservation: Reservation, ledger: Ledger, now: number): void {
  const fromMs = reservation.fromMs ?? now;
  const untilMs = reservation.fromMs === null || demand.timeLimitMs === null ? Infinity : fromMs + demand.timeLimitMs;
  for (const share of reservation.hosts) ledger.add({ jobId: job.jobId, kind: 'reserved', fromMs, untilMs, share });
}

function tellExpectedStart(reason: PendingReason, reservation: Reservation, now: number): void {
  if (reservation.fromMs === null) {
    reason.message += '; next in line once jobs without a time limit end';
    return;
  }
  reason.expectedStartMs = reservation.fromMs;
  reason.message += `; expected to start within ${formatDuration(reservation.fromMs - now)}`;
}

function behindReason(job: QueuedJob, blocker: QueuedJob): PendingReason {
  let message: string;
  if (blocker.spec.project !== job.spec.project) {
    message = `waiting behind job ${blocker.jobId} of project ${blocker.spec.project}, which comes first by fair share`;
  } else if ((blocker.spec.priority ?? 0) > (job.spec.priority ?? 0)) {
    message = `waiting behind higher-priority job ${blocker.jobId}`;
  } else {
    message = `waiting behind job ${blocker.jobId}, submitted earlier`;
  }
  return { kind: 'behind', message, blockedBy: blocker.jobId };
}

/**
 * The earliest start the known ends of running jobs allow `demand`, and where; failing
 * that, where it would go once the jobs without a time limit end (start unknown).
 */
function reserve(demand: JobDemand, eligible: SchedulerHost[], ledger: Ledger, now: number): Reservation | undefined {
  const span = demand.timeLimitMs ?? Infinity;
  const ends = ledger.endsAfter(now);
  for (const fromMs of ends) {
    const hosts = fitDemand(demand, eligible.map((host) => ledger.free(host, fromMs, fromMs + span)));
    if (hosts !== undefined) return { fromMs, hosts };
  }
  const heldForever = (claim: Claim) => claim.kind !== 'reserved' && claim.untilMs === Infinity;
  for (const fromMs of [now, ...ends]) {
    const hosts = fitDemand(demand, eligible.map((host) => ledger.free(host, fromMs, fromMs + span, heldForever)));
    if (hosts !== undefined) return { fromMs: null, hosts };
  }
  return undefined;
}
