/**
 * The job list's rules, apart from the store so they can be tested plainly: which of two
 * copies of a job is newer (events and list pages race), which group a state belongs to,
 * the order inside each group, and the filters of the side bar.
 */
import type { Job } from '../../protocol/jobs-api.ts';
import type { JobState } from '../../protocol/jobs.ts';

/** Queue: waiting to be placed. Running: holding hosts. History: over. */
export type JobGroup = 'queue' | 'running' | 'history';

export const jobGroups: readonly JobGroup[] = ['queue', 'running', 'history'];

export const groupTitles: Record<JobGroup, string> = { queue: 'Queue', running: 'Running', history: 'History' };

const groupOfState: Record<JobState, JobGroup> = {
  pending: 'queue',
  starting: 'running',
  running: 'running',
  stopping: 'running',
  succeeded: 'history',
  failed: 'history',
  stopped: 'history',
};

export function jobGroup(state: JobState): JobGroup {
  return groupOfState[state];
}

export function isJobOver(state: JobState): boolean {
  return groupOfState[state] === 'history';
}

/** The submit number of `j-17`, for ordering ids as numbers rather than text. */
export function jobNumber(jobId: string): number {
  return Number(jobId.slice(2));
}

const lastChangeMs = (job: Job): number => job.timeline.at(-1)?.atMs ?? job.submittedAtMs;

/**
 * Whether `incoming` says something at least as recent as `current`. A job has no version
 * number, so its attempt, then its last timeline entry, then the length of its timeline
 * order two copies; a tie goes to the copy that arrived last.
 */
export function isNewerJob(incoming: Job, current: Job): boolean {
  if (incoming.attempt !== current.attempt) return incoming.attempt > current.attempt;
  const at = lastChangeMs(incoming) - lastChangeMs(current);
  if (at !== 0) return at > 0;
  return incoming.timeline.length >= current.timeline.length;
}

/** `jobs` with `incoming` merged in, unless the copy already held is newer. */
export function jobsMerged(jobs: Readonly<Record<string, Job>>, incoming: readonly Job[]): Record<string, Job> {
  const next = { ...jobs };
  for (const job of incoming) {
    const current = next[job.jobId];
    if (current === undefined || isNewerJob(job, current)) next[job.jobId] = job;
  }
  return next;
}

export interface JobFilters {
  /** Only this project's jobs; null for every project. */
  project: string | null;
  /** Only this group; null for all three. */
  group: JobGroup | null;
  /** Matched case-insensitively against the name, id and command. */
  text: string;
}

export const noJobFilters: JobFilters = { project: null, group: null, text: '' };

export function matchesFilters(job: Job, filters: JobFilters): boolean {
  if (filters.project !== null && job.spec.project !== filters.project) return false;
  if (filters.group !== null && jobGroup(job.state) !== filters.group) return false;
  const text = filters.text.trim().toLowerCase();
  if (text === '') return true;
  return [job.spec.name, job.jobId, job.spec.command].some((field) => field.toLowerCase().includes(text));
}

/**
 * Queue: what starts next first (higher priority, then submitted earlier — the scheduler's
 * order). Running: most recently started first. History: most recently ended first.
 */
function compareInGroup(group: JobGroup, a: Job, b: Job): number {
  if (group === 'queue') {
    const priority = (b.spec.priority ?? 0) - (a.spec.priority ?? 0);
    return priority !== 0 ? priority : jobNumber(a.jobId) - jobNumber(b.jobId);
  }
  const at = group === 'running' ? (job: Job) => job.startedAtMs ?? job.submittedAtMs : (job: Job) => job.endedAtMs ?? lastChangeMs(job);
  const time = at(b) - at(a);
  return time !== 0 ? time : jobNumber(b.jobId) - jobNumber(a.jobId);
}

export type GroupedJobs = Record<JobGroup, Job[]>;

export function groupedJobs(jobs: Readonly<Record<string, Job>>, filters: JobFilters): GroupedJobs {
  const grouped: GroupedJobs = { queue: [], running: [], history: [] };
  for (const job of Object.values(jobs)) {
    if (matchesFilters(job, filters)) grouped[jobGroup(job.state)].push(job);
  }
  for (const group of jobGroups) grouped[group].sort((a, b) => compareInGroup(group, a, b));
  return grouped;
}

/** The groups' jobs in the order they are drawn, for arrow keys. */
export function drawnOrder(grouped: GroupedJobs): Job[] {
  return jobGroups.flatMap((group) => grouped[group]);
}

/** The projects the loaded jobs belong to, for the project filter. */
export function projectsOf(jobs: Readonly<Record<string, Job>>): string[] {
  return [...new Set(Object.values(jobs).map((job) => job.spec.project))].sort();
}

/** The loaded jobs waiting for `jobId` (the other direction of `after`). */
export function jobsWaitingFor(jobs: Readonly<Record<string, Job>>, jobId: string): Job[] {
  return Object.values(jobs)
    .filter((job) => job.after.includes(jobId))
    .sort((a, b) => jobNumber(a.jobId) - jobNumber(b.jobId));
}
