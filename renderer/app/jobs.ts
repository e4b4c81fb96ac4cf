/**
 * The Jobs section's calls to the desktop core: the list (read once, then kept current by
 * `job.changed` events — read again only after the link or the cluster comes back), a job's
 * page (its log followed while on screen), submit, stop, retry, clone and schedules.
 * Refusals are kept with their hint and shown where the user acted.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { Job, JobSchedule } from '../../protocol/jobs-api.ts';
import type { JobSpec } from '../../protocol/jobs.ts';
import type { AppState, AppStore } from '../store/app-state.ts';
import type { LoadProblem } from '../store/cluster-slice.ts';
import { selectActiveClusterName } from '../store/clusters-slice.ts';
import { problemOf } from './problems.ts';

/** Jobs read per page: the queue and running jobs of a busy project, and recent history. */
export const JOB_PAGE_SIZE = 200;

export interface JobActions {
  /** Reads the newest jobs and the schedules of the active cluster. */
  load(): Promise<void>;
  /** Reads the next page of older jobs. */
  loadMore(): Promise<void>;
  /** Shows a job's page (reading the job if it is not loaded). */
  openJob(jobId: string): Promise<void>;
  /** Sends the form: a job, or a schedule when `cron` is given; the refusal when the core refused. */
  submit(spec: JobSpec, after: string[], cron: string | null): Promise<{ ok: true; job?: Job; schedule?: JobSchedule } | { ok: false; problem: LoadProblem }>;
  stop(jobId: string): Promise<void>;
  retry(jobId: string): Promise<void>;
  /** Opens the form with the job's specification, to change and run as a new job. */
  clone(job: Job): void;
  removeSchedule(scheduleId: string): Promise<void>;
  dispose(): void;
}

export interface JobActionsOptions {
  hops: HopsApi;
  store: AppStore;
  /** Called with every job whose change an event reported, with the copy held before (for notifications). */
  onJobChanged?: (job: Job, before: Job | undefined) => void;
}

/** The Jobs section is on screen for a cluster whose jobs were not read yet. */
const needsJobs = (s: AppState): boolean => {
  const cluster = selectActiveClusterName(s);
  return s.layout.activeView === 'jobs' && s.loadPhase === 'ready' && cluster !== null && s.jobsCluster !== cluster;
};

export function createJobActions({ hops, store, onJobChanged }: JobActionsOptions): JobActions {
  const state = store.getState;
  let disposed = false;
  /** The follow on screen: its job, attempt and (once answered) id. */
  let follow: { jobId: string; attempt: number; followId: string | null } | null = null;

  const fail = (action: string, err: unknown) => {
    if (!disposed) state().setJobsProblem({ action, ...problemOf(err) });
  };

  const load = async () => {
    const cluster = selectActiveClusterName(state());
    if (cluster === null) return;
    state().jobsLoadStarted(cluster);
    state().schedulesLoading();
    const [jobs, schedules] = await Promise.allSettled([hops.job.list({ cluster, limit: JOB_PAGE_SIZE }), hops.schedule.list({ cluster })]);
    if (disposed) return;
    if (jobs.status === 'fulfilled') state().jobsPageLoaded(cluster, jobs.value.jobs, jobs.value.next ?? null);
    else state().jobsFailed({ action: 'Could not list the jobs', ...problemOf(jobs.reason) });
    if (schedules.status === 'fulfilled') state().schedulesLoaded(schedules.value.schedules);
    else state().schedulesFailed({ action: 'Could not list the schedules', ...problemOf(schedules.reason) });
  };

  const unfollow = () => {
    const followId = follow?.followId ?? null;
    follow = null;
    state().logClosed();
    if (followId !== null) hops.job.unfollow({ followId }).catch(() => undefined);
  };

  /** Follows the log of the job on the page: again when a retry starts a new attempt. */
  const followJobOnPage = () => {
    const s = state();
    const job = s.jobsPane.kind === 'job' && s.layout.activeView === 'jobs' ? s.jobs[s.jobsPane.jobId] : undefined;
    if (job === undefined) {
      if (follow !== null) unfollow();
      return;
    }
    if (follow !== null && follow.jobId === job.jobId && follow.attempt === job.attempt) return;
    // A pending attempt has no log yet; following starts when it is placed.
    if (job.state === 'pending') {
      if (follow !== null) unfollow();
      return;
    }
    if (follow !== null) unfollow();
    const mine = { jobId: job.jobId, attempt: job.attempt, followId: null as string | null };
    follow = mine;
    state().logFollowStarted(job.jobId);
    hops.job
      .follow({ cluster: state().jobsCluster ?? undefined, jobId: job.jobId })
      .then(({ followId }) => {
        if (follow !== mine) {
          hops.job.unfollow({ followId }).catch(() => undefined);
          return;
        }
        mine.followId = followId;
        state().logFollowIdKnown(job.jobId, followId);
      })
      .catch((err: unknown) => {
        if (follow !== mine) return;
        const problem = problemOf(err);
        state().logEnd({ followId: '', jobId: job.jobId, error: `${problem.message} ${problem.hint}` });
      });
  };

  const unsubscribeStore = store.subscribe((next, previous) => {
    if (needsJobs(next) && !needsJobs(previous)) void load();
    if (next.jobsPane !== previous.jobsPane || next.jobs !== previous.jobs || next.layout.activeView !== previous.layout.activeView) followJobOnPage();
    // Events were missed while the core or the cluster was away: read the list afresh.
    const back =
      (next.transport === 'open' && previous.transport === 'reconnecting') ||
      (next.clusterConnection?.state === 'connected' && previous.clusterConnection !== null && previous.clusterConnection.state !== 'connected');
    if (back && next.jobsCluster !== null && next.jobsPhase !== 'loading') void load();
    // A follow cut off by the drop starts again from the top of the log.
    if (back && follow !== null && next.jobLog?.phase === 'error') {
      unfollow();
      followJobOnPage();
    }
  });

  const unsubscribeEvents = [
    hops.on('job.changed', ({ cluster, job }) => {
      const before = state().jobs[job.jobId];
      state().jobChanged(cluster, job);
      if (cluster === state().jobsCluster) onJobChanged?.(job, before);
    }),
    hops.on('job.log', (event) => state().logLines(event)),
    hops.on('job.logEnd', (event) => {
      state().logEnd(event);
      if (event.job !== undefined && state().jobsCluster !== null) state().jobChanged(state().jobsCluster!, event.job);
    }),
  ];

  /** An answer of stop, retry or submit is the job as it is now. */
  const took = (job: Job) => {
    const cluster = state().jobsCluster;
    if (cluster !== null) state().jobChanged(cluster, job);
  };

  if (needsJobs(state())) void load();

  return {
    load,
    async loadMore() {
      const cluster = state().jobsCluster;
      const before = state().jobsNext;
      if (cluster === null || before === null) return;
      try {
        const reply = await hops.job.list({ cluster, before, limit: JOB_PAGE_SIZE });
        if (!disposed) state().jobsPageLoaded(cluster, reply.jobs, reply.next ?? null);
      } catch (err) {
        fail('Could not read older jobs', err);
      }
    },
    async openJob(jobId) {
      state().showJobsPane({ kind: 'job', jobId });
      state().showView('jobs');
      if (state().jobs[jobId] !== undefined) return;
      try {
        took(await hops.job.get({ cluster: state().jobsCluster ?? undefined, jobId }));
      } catch (err) {
        fail(`Could not read job ${jobId}`, err);
      }
    },
    async submit(spec, after, cron) {
      const cluster = state().jobsCluster ?? selectActiveClusterName(state()) ?? undefined;
      try {
        if (cron !== null) {
          const schedule = await hops.schedule.create({ cluster, cron, spec });
          state().scheduleAdded(schedule);
          state().closeJobForm();
          state().showJobsPane({ kind: 'schedules' });
          return { ok: true, schedule };
        }
        const job = await hops.job.submit({ cluster, spec, ...(after.length > 0 ? { after } : {}) });
        took(job);
        state().closeJobForm();
        state().showJobsPane({ kind: 'job', jobId: job.jobId });
        return { ok: true, job };
      } catch (err) {
        return { ok: false, problem: problemOf(err) };
      }
    },
    async stop(jobId) {
      try {
        took(await hops.job.stop({ cluster: state().jobsCluster ?? undefined, jobId }));
      } catch (err) {
        fail(`Could not stop ${jobId}`, err);
      }
    },
    async retry(jobId) {
      try {
        took(await hops.job.retry({ cluster: state().jobsCluster ?? undefined, jobId }));
      } catch (err) {
        fail(`Could not retry ${jobId}`, err);
      }
    },
    clone(job) {
      state().openJobForm(job.spec, job.after);
    },
    async removeSchedule(scheduleId) {
      try {
        await hops.schedule.remove({ cluster: state().jobsCluster ?? undefined, scheduleId });
        state().scheduleRemoved(scheduleId);
      } catch (err) {
        fail('Could not delete the schedule', err);
      }
    },
    dispose() {
      disposed = true;
      unsubscribeStore();
      for (const unsubscribe of unsubscribeEvents) unsubscribe();
      if (follow !== null) unfollow();
    },
  };
}
