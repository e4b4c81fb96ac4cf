/**
 * The measure both schedulers go through: N no-op jobs submitted in a burst by a bounded
 * number of submitters, then each job's submit→start latency and the whole run's completed
 * jobs per second, from first submit to last end. Every time here is wall-clock ms
 * (`Date.now()`): the lab's namespaces share this machine's clock, so a time taken by a head,
 * a node daemon, a job or this process can be compared.
 */

export interface SubmitOutcome {
  /** The scheduler's id for the job, or why the submit was refused. */
  jobId?: string;
  refusal?: string;
}

export interface BurstSubmits {
  /** When the first submit was sent. */
  firstSubmitMs: number;
  /** When the last submit was answered. */
  lastAnsweredMs: number;
  outcomes: SubmitOutcome[];
}

/** Submits `count` jobs with at most `inFlight` submits outstanding at any time. */
export async function submitBurst(count: number, inFlight: number, submit: (index: number) => Promise<SubmitOutcome>): Promise<BurstSubmits> {
  const outcomes: SubmitOutcome[] = new Array(count);
  let next = 0;
  const firstSubmitMs = Date.now();
  const submitter = async () => {
    while (next < count) {
      const index = next++;
      try {
        outcomes[index] = await submit(index);
      } catch (err) {
        outcomes[index] = { refusal: (err as Error).message.split('\n')[0]! };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, submitter));
  return { firstSubmitMs, lastAnsweredMs: Date.now(), outcomes };
}

/** One job's life as its scheduler recorded it, in wall-clock ms. */
export interface JobTimes {
  jobId: string;
  submittedMs: number;
  startedMs: number;
  endedMs: number;
  succeeded: boolean;
}

export interface BurstFigures {
  system: string;
  config: string;
  submitted: number;
  accepted: number;
  /** Up to three distinct refusal reasons, for the notes. */
  refusals: string[];
  /** Submits answered per second over the burst. */
  submitsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Jobs ended successfully, and the rest of those accepted. */
  succeeded: number;
  notSucceeded: number;
  /** Jobs that succeeded, per second, from the first submit to the last end. */
  completedPerSecond: number;
  spanMs: number;
}

/** Nearest-rank percentile (p in 0–100) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function burstFigures(system: string, config: string, submits: BurstSubmits, jobs: JobTimes[]): BurstFigures {
  const accepted = submits.outcomes.filter((o) => o.jobId !== undefined).length;
  const refusals = [...new Set(submits.outcomes.flatMap((o) => (o.refusal === undefined ? [] : [o.refusal])))].slice(0, 3);
  const latencies = jobs.filter((j) => Number.isFinite(j.startedMs)).map((j) => j.startedMs - j.submittedMs);
  const lastEndMs = Math.max(...jobs.map((j) => j.endedMs));
  const spanMs = lastEndMs - submits.firstSubmitMs;
  const succeeded = jobs.filter((j) => j.succeeded).length;
  return {
    system,
    config,
    submitted: submits.outcomes.length,
    accepted,
    refusals,
    submitsPerSecond: submits.outcomes.length / ((submits.lastAnsweredMs - submits.firstSubmitMs) / 1000),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    succeeded,
    notSucceeded: accepted - succeeded,
    completedPerSecond: succeeded / (spanMs / 1000),
    spanMs,
  };
}
