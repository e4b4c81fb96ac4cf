/**
 * A stored job as clients see it (`Job` of protocol/jobs-api.ts), and where its logs are
 * kept in its project's filesystem: `/Projects/<project>/Jobs/<jobId>/attempt-<n>/`.
 */
import type { Job } from '../../protocol/jobs-api.ts';
import type { PendingReason } from '../../protocol/jobs.ts';
import type { StoredJob } from './job-store.ts';

/** The dataset every project's job logs go to; made by the head on a project's first job. */
export const jobsDatasetName = 'Jobs';

export function jobIdOf(seq: number): string {
  return `j-${seq}`;
}

/** The submit number of a job id; undefined when it is not one. */
export function seqOf(jobId: string): number | undefined {
  const match = /^j-([0-9]{1,15})$/.exec(jobId);
  return match === null ? undefined : Number(match[1]);
}

export function logDirOf(job: Pick<StoredJob, 'project' | 'seq'>): string {
  return `/Projects/${job.project}/${jobsDatasetName}/${jobIdOf(job.seq)}`;
}

/** Where attempt `attempt`'s log of `stream` is kept; rank 0's is `stdout.log`, another host's `rank-<r>.stdout.log`. */
export function logFileOf(job: Pick<StoredJob, 'project' | 'seq'>, attempt: number, stream: 'stdout' | 'stderr', rank = 0): string {
  return `${logDirOf(job)}/attempt-${attempt}/${rank === 0 ? '' : `rank-${rank}.`}${stream}.log`;
}

export function toJob(job: StoredJob, pendingReason: PendingReason | undefined): Job {
  return {
    jobId: jobIdOf(job.seq),
    spec: job.spec,
    state: job.state,
    attempt: job.attempt,
    submittedBy: job.submittedBy,
    submittedAtMs: job.submittedAtMs,
    ...(job.startedAtMs === null ? {} : { startedAtMs: job.startedAtMs }),
    ...(job.endedAtMs === null ? {} : { endedAtMs: job.endedAtMs }),
    ...(job.state === 'pending' && pendingReason !== undefined ? { pendingReason } : {}),
    ...(job.placement === null ? {} : { placement: job.placement.hosts }),
    ...(job.endReason === null ? {} : { endReason: job.endReason }),
    ...(job.endReason === null ? {} : { exitCode: job.exitCode, signal: job.signal }),
    ...(job.message === null ? {} : { message: job.message }),
    ...(job.usage === null ? {} : { usage: job.usage }),
    logDir: logDirOf(job),
    after: job.after,
    ...(job.scheduleId === null ? {} : { scheduleId: job.scheduleId }),
    timeline: job.timeline,
  };
}
