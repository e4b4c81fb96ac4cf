/**
 * The Jobs side bar: the queue, the running jobs and recent history (under the same filters
 * as the list) and the schedules. One tab stop; arrows move, Enter opens the job's page.
 */
import { CalendarClock } from 'lucide-react';
import { useMemo, type KeyboardEvent } from 'react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { groupedJobs, groupTitles, jobGroups } from '../../store/jobs-list.ts';
import { jobStateLooks } from './job-state-look.ts';
import { jobsSession } from './jobs-session.ts';
import '../../styles/jobs.css';

/** History can be long; the side bar shows the latest and the list has the rest. */
const HISTORY_IN_SIDEBAR = 30;

export function JobsSideBar() {
  const jobs = useAppState((s) => s.jobs);
  const filters = useAppState((s) => s.jobFilters);
  const pane = useAppState((s) => s.jobsPane);
  const cursor = useAppState((s) => s.jobCursor);
  const schedules = useAppState((s) => s.schedules.length);
  const grouped = useMemo(() => groupedJobs(jobs, filters), [jobs, filters]);
  const store = appStore.getState;
  const shownJob = pane.kind === 'job' ? pane.jobId : null;

  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => store().moveJobCursor(1),
      ArrowUp: () => store().moveJobCursor(-1),
      Enter: () => cursor !== null && void jobsSession().actions.openJob(cursor),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  return (
    <div className="jobs-side" data-testid="jobs-side">
      <ul role="tree" aria-label="Jobs by state" tabIndex={0} onKeyDown={onKeyDown} className="jobs-tree" aria-activedescendant={cursor === null ? undefined : `side-job-${cursor}`}>
        {jobGroups.map((group) => {
          const all = grouped[group];
          const shown = group === 'history' ? all.slice(0, HISTORY_IN_SIDEBAR) : all;
          return (
            <li key={group} role="treeitem" aria-expanded="true" className="tree-item" data-group={group}>
              <div className="tree-row jobs-side-group">
                <span className="tree-label">{groupTitles[group]}</span>
                <span className="tree-meta num" data-testid={`side-count-${group}`}>
                  {all.length}
                </span>
              </div>
              <ul role="group">
                {shown.map((job) => {
                  const look = jobStateLooks[job.state];
                  const Icon = look.icon;
                  return (
                    <li
                      key={job.jobId}
                      id={`side-job-${job.jobId}`}
                      role="treeitem"
                      className="tree-item"
                      aria-selected={job.jobId === shownJob || job.jobId === cursor}
                      data-testid="side-job"
                      data-job-id={job.jobId}
                    >
                      <div className="tree-row tree-row-child" onClick={() => void jobsSession().actions.openJob(job.jobId)} title={`${job.spec.name} (${job.jobId}) — ${look.word}`}>
                        <span className="state-icon" data-tone={look.tone}>
                          <Icon size={12} className={look.spinning ? 'spin' : undefined} aria-label={look.word} />
                        </span>
                        <span className="tree-label">{job.spec.name}</span>
                        <span className="tree-meta mono">{job.jobId}</span>
                      </div>
                    </li>
                  );
                })}
                {shown.length < all.length && (
                  <li role="none" className="side-bar-note">
                    <button type="button" className="link-button" onClick={() => store().showJobsPane({ kind: 'list' })}>
                      {all.length - shown.length} more in the list
                    </button>
                  </li>
                )}
              </ul>
            </li>
          );
        })}
      </ul>
      <button type="button" className="tree-row jobs-side-schedules" onClick={() => store().showJobsPane({ kind: 'schedules' })} aria-pressed={pane.kind === 'schedules'}>
        <CalendarClock size={13} aria-hidden="true" />
        <span className="tree-label">Schedules</span>
        <span className="tree-meta num">{schedules}</span>
      </button>
    </div>
  );
}
