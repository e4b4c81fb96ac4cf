/**
 * The usage charts' samples of the job on screen: read every few seconds while the job runs
 * and the window is visible, and not at all otherwise — a hidden window or a job page nobody
 * looks at costs the head nothing. Workers keep samples only while a job runs, so a job
 * that is over keeps the samples read until then and shows its usage totals.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import type { AppState, AppStore } from '../store/app-state.ts';
import { isJobOver } from '../store/jobs-list.ts';
import type { Timers } from '../transport/web-client.ts';

export const USAGE_POLL_MS = 3_000;

export interface UsagePollerOptions {
  hops: HopsApi;
  store: AppStore;
  timers: Timers;
  /** Whether the window is visible now, and a way to hear when that changes. */
  visible: () => boolean;
  onVisibilityChange: (listener: () => void) => () => void;
}

/** The job whose usage is on screen, and whether it still runs. */
function watched(s: AppState): { jobId: string; running: boolean } | null {
  if (s.layout.activeView !== 'jobs' || s.jobsPane.kind !== 'job') return null;
  const job = s.jobs[s.jobsPane.jobId];
  if (job === undefined || job.state === 'pending') return null;
  return { jobId: job.jobId, running: !isJobOver(job.state) };
}

export function createUsagePoller({ hops, store, timers, visible, onVisibilityChange }: UsagePollerOptions): { dispose(): void } {
  let timer: unknown = null;
  let disposed = false;

  const read = async (jobId: string) => {
    try {
      const { samples } = await hops.job.usage({ cluster: store.getState().jobsCluster ?? undefined, jobId });
      const now = watched(store.getState());
      if (!disposed && now?.jobId === jobId) store.getState().usageLoaded(jobId, samples);
    } catch {
      // The charts say "no samples"; the job page shows the job's own state and errors.
    }
  };

  const reconsider = () => {
    const target = watched(store.getState());
    const shouldPoll = target !== null && target.running && visible();
    if (!shouldPoll && timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    if (shouldPoll && timer === null) tick();
  };

  const tick = () => {
    const target = watched(store.getState());
    if (disposed || target === null || !target.running || !visible()) {
      timer = null;
      return;
    }
    void read(target.jobId);
    timer = timers.setTimeout(tick, USAGE_POLL_MS);
  };

  const unsubscribe = store.subscribe((next, previous) => {
    if (next.jobsPane !== previous.jobsPane || next.jobs !== previous.jobs || next.layout.activeView !== previous.layout.activeView) reconsider();
  });
  const unwatch = onVisibilityChange(reconsider);
  reconsider();
  return {
    dispose() {
      disposed = true;
      unsubscribe();
      unwatch();
      if (timer !== null) timers.clearTimeout(timer);
    },
  };
}
