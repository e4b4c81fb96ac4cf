/**
 * The window's one set of job actions, started with the workbench so job events (and the
 * notification when a job ends) arrive whichever section is on screen.
 */
import { createJobActions, type JobActions } from '../../app/jobs.ts';
import { browserNotifier, createJobEndNotices, type JobEndNotices } from '../../app/jobs-notify.ts';
import { createUsagePoller } from '../../app/jobs-usage.ts';
import { appStore } from '../../store/app-store.ts';
import { getHops } from '../../transport/index.ts';
import { globalTimers } from '../../transport/web-client.ts';

export interface JobsSession {
  actions: JobActions;
  notices: JobEndNotices;
}

let session: JobsSession | null = null;

export function jobsSession(): JobsSession {
  if (session !== null) return session;
  const hops = getHops();
  const notices = createJobEndNotices(browserNotifier(), (jobId) => void actions.openJob(jobId));
  const actions = createJobActions({ hops, store: appStore, onJobChanged: (job, before) => notices.changed(job, before) });
  createUsagePoller({
    hops,
    store: appStore,
    timers: globalTimers,
    visible: () => document.visibilityState === 'visible',
    onVisibilityChange: (listener) => {
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
  });
  session = { actions, notices };
  return session;
}
