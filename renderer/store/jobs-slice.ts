/**
 * The Jobs section's state: the jobs loaded for the active cluster (merged with the
 * `job.changed` events), the list's filters and cursor, what the main area shows (a job's
 * page, the form, the schedules), the followed log and usage samples of the job on screen.
 */
import type { Job, JobSchedule, JobUsageSample } from '../../protocol/jobs-api.ts';
import type { JobSpec } from '../../protocol/jobs.ts';
import type { SliceCreator } from './app-state.ts';
import type { LoadProblem } from './cluster-slice.ts';
import { drawnOrder, groupedJobs, jobsMerged, noJobFilters, type JobFilters } from './jobs-list.ts';
import { linesAppended, logEnded, logStarted, type JobLog } from './jobs-log.ts';

/** What the main area of the section shows. */
export type JobsPane = { kind: 'list' } | { kind: 'job'; jobId: string } | { kind: 'form' } | { kind: 'schedules' };

/** The form's starting values; `seq` changes on every opening so the form starts afresh. */
export interface JobFormOpening {
  seq: number;
  prefill: Partial<JobSpec>;
  after: string[];
}

/** A failed action, with what was tried. */
export interface JobsProblem extends LoadProblem {
  action: string;
}

export type JobsConfirm = { kind: 'stop'; job: Job } | { kind: 'delete-schedule'; schedule: JobSchedule };

export interface JobsSlice {
  /** The cluster the jobs were read from; null until the section first shows. */
  jobsCluster: string | null;
  jobs: Record<string, Job>;
  jobsPhase: 'idle' | 'loading' | 'ready' | 'error';
  /** The `before` of the next page of older jobs; null when all are loaded. */
  jobsNext: string | null;
  jobFilters: JobFilters;
  /** The list's keyboard cursor (a job id). */
  jobCursor: string | null;
  jobsPane: JobsPane;
  jobForm: JobFormOpening | null;
  jobsProblem: JobsProblem | null;
  jobsConfirm: JobsConfirm | null;
  schedules: JobSchedule[];
  schedulesPhase: 'idle' | 'loading' | 'ready' | 'error';
  jobLog: JobLog | null;
  jobUsage: { jobId: string; samples: JobUsageSample[] } | null;

  jobsLoadStarted(cluster: string): void;
  jobsPageLoaded(cluster: string, jobs: readonly Job[], next: string | null): void;
  jobsFailed(problem: JobsProblem): void;
  /** A `job.changed` event, or the answer of submit, stop or retry. */
  jobChanged(cluster: string, job: Job): void;
  setJobFilters(patch: Partial<JobFilters>): void;
  /** Moves the cursor `delta` rows through the jobs as drawn (±Infinity: to the last or first). */
  moveJobCursor(delta: number): void;
  pickJob(jobId: string): void;
  showJobsPane(pane: JobsPane): void;
  openJobForm(prefill: Partial<JobSpec>, after?: string[]): void;
  closeJobForm(): void;
  setJobsProblem(problem: JobsProblem | null): void;
  setJobsConfirm(confirm: JobsConfirm | null): void;
  schedulesLoading(): void;
  schedulesLoaded(schedules: JobSchedule[]): void;
  schedulesFailed(problem: JobsProblem): void;
  scheduleAdded(schedule: JobSchedule): void;
  scheduleRemoved(scheduleId: string): void;
  logFollowStarted(jobId: string): void;
  logFollowIdKnown(jobId: string, followId: string): void;
  logLines(event: { followId: string; jobId: string; stream: 'stdout' | 'stderr'; lines: readonly string[] }): void;
  logEnd(event: { followId: string; jobId: string; job?: Job; error?: string }): void;
  logClosed(): void;
  usageLoaded(jobId: string, samples: JobUsageSample[]): void;
}

let formSeq = 0;

/**
 * Whether a log event belongs to the log on screen. Lines may arrive before the answer to
 * `job.follow` names the follow, so an unnamed follow takes the first of its job's events.
 */
function isOurs(log: JobLog | null, event: { followId: string; jobId: string }): boolean {
  if (log === null) return false;
  return log.followId === null ? log.jobId === event.jobId : log.followId === event.followId;
}

export const createJobsSlice: SliceCreator<JobsSlice> = (set, get) => ({
  jobsCluster: null,
  jobs: {},
  jobsPhase: 'idle',
  jobsNext: null,
  jobFilters: noJobFilters,
  jobCursor: null,
  jobsPane: { kind: 'list' },
  jobForm: null,
  jobsProblem: null,
  jobsConfirm: null,
  schedules: [],
  schedulesPhase: 'idle',
  jobLog: null,
  jobUsage: null,

  jobsLoadStarted: (cluster) =>
    set((s) =>
      s.jobsCluster === cluster
        ? { jobsPhase: 'loading' }
        : { jobsCluster: cluster, jobs: {}, jobsNext: null, jobsPhase: 'loading', jobCursor: null, schedules: [], schedulesPhase: 'idle' },
    ),
  jobsPageLoaded: (cluster, jobs, next) =>
    set((s) => (s.jobsCluster !== cluster ? {} : { jobs: jobsMerged(s.jobs, jobs), jobsNext: next, jobsPhase: 'ready' })),
  jobsFailed: (problem) => set({ jobsPhase: 'error', jobsProblem: problem }),
  jobChanged: (cluster, job) =>
    set((s) => {
      if (s.jobsCluster !== cluster) return {};
      const merged = jobsMerged(s.jobs, [job]);
      // A schedule's "last job" follows the jobs it submits.
      const schedules =
        job.scheduleId === undefined
          ? s.schedules
          : s.schedules.map((x) => (x.scheduleId === job.scheduleId && x.lastJobId !== job.jobId ? { ...x, lastJobId: job.jobId } : x));
      return { jobs: merged, schedules };
    }),
  setJobFilters: (patch) => set((s) => ({ jobFilters: { ...s.jobFilters, ...patch } })),
  moveJobCursor: (delta) => {
    const order = drawnOrder(groupedJobs(get().jobs, get().jobFilters));
    if (order.length === 0) return;
    const at = order.findIndex((job) => job.jobId === get().jobCursor);
    const from = at < 0 || !Number.isFinite(delta) ? (delta > 0 ? -1 : order.length) : at;
    const to = Math.min(order.length - 1, Math.max(0, from + (Number.isFinite(delta) ? delta : Math.sign(delta) * order.length)));
    set({ jobCursor: order[to]!.jobId });
  },
  pickJob: (jobId) => set({ jobCursor: jobId }),
  showJobsPane: (pane) => set(pane.kind === 'job' ? { jobsPane: pane, jobCursor: pane.jobId } : { jobsPane: pane }),
  openJobForm: (prefill, after = []) => {
    formSeq += 1;
    set({ jobForm: { seq: formSeq, prefill, after }, jobsPane: { kind: 'form' } });
  },
  closeJobForm: () => set((s) => ({ jobForm: null, jobsPane: s.jobsPane.kind === 'form' ? { kind: 'list' } : s.jobsPane })),
  setJobsProblem: (problem) => set({ jobsProblem: problem }),
  setJobsConfirm: (confirm) => set({ jobsConfirm: confirm }),
  schedulesLoading: () => set({ schedulesPhase: 'loading' }),
  schedulesLoaded: (schedules) => set({ schedules, schedulesPhase: 'ready' }),
  schedulesFailed: (problem) => set({ schedulesPhase: 'error', jobsProblem: problem }),
  scheduleAdded: (schedule) => set((s) => ({ schedules: [...s.schedules.filter((x) => x.scheduleId !== schedule.scheduleId), schedule] })),
  scheduleRemoved: (scheduleId) => set((s) => ({ schedules: s.schedules.filter((x) => x.scheduleId !== scheduleId) })),
  logFollowStarted: (jobId) => set({ jobLog: logStarted(jobId) }),
  logFollowIdKnown: (jobId, followId) => set((s) => (s.jobLog?.jobId === jobId ? { jobLog: { ...s.jobLog, followId } } : {})),
  logLines: (event) =>
    set((s) => (isOurs(s.jobLog, event) ? { jobLog: linesAppended({ ...s.jobLog!, followId: event.followId }, event.stream, event.lines) } : {})),
  logEnd: (event) => set((s) => (isOurs(s.jobLog, event) ? { jobLog: logEnded({ ...s.jobLog!, followId: event.followId }, event) } : {})),
  logClosed: () => set({ jobLog: null, jobUsage: null }),
  usageLoaded: (jobId, samples) => set({ jobUsage: { jobId, samples } }),
});
