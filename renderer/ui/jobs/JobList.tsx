/**
 * The jobs of the active cluster in three groups — Queue (with why each waits), Running and
 * History — under the filters. Focus stays on the list; arrows move the cursor and Enter
 * opens the job's page. New states arrive by events, so the list is current without polling.
 */
import { Play, Search } from 'lucide-react';
import { useMemo, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Job } from '../../../protocol/jobs-api.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { groupedJobs, groupTitles, jobGroups, projectsOf, type JobGroup } from '../../store/jobs-list.ts';
import { JobStateBadge } from './JobStateBadge.tsx';
import { PastTime } from './PastTime.tsx';
import { endWords, resourcesWords } from './job-words.ts';
import { jobsSession } from './jobs-session.ts';

const rowId = (jobId: string) => `job-row-${jobId}`;

function WhenCell({ job, group }: { job: Job; group: JobGroup }) {
  const atMs = group === 'queue' ? job.submittedAtMs : group === 'running' ? (job.startedAtMs ?? job.submittedAtMs) : (job.endedAtMs ?? job.submittedAtMs);
  return <PastTime atMs={atMs} />;
}

function DetailCell({ job, group }: { job: Job; group: JobGroup }) {
  if (group === 'queue') {
    const waits = job.pendingReason?.message ?? (job.after.length > 0 ? `Waits for ${job.after.join(', ')}` : 'Waiting to be placed');
    return <span data-testid="pending-reason">{waits}</span>;
  }
  if (group === 'running') return <span className="mono">{(job.placement ?? []).map((p) => p.name).join(', ')}</span>;
  return <span>{job.attempt > 1 ? `${endWords(job)} (attempt ${job.attempt})` : endWords(job)}</span>;
}

export function JobFilterBar() {
  const filters = useAppState((s) => s.jobFilters);
  const projects = useAppState(useShallow((s) => projectsOf(s.jobs)));
  const set = appStore.getState().setJobFilters;
  return (
    <div className="jobs-filters" role="search" aria-label="Filter jobs">
      <label className="jobs-filter">
        <span className="visually-hidden">Project</span>
        <select className="text-input" value={filters.project ?? ''} onChange={(e) => set({ project: e.target.value === '' ? null : e.target.value })} data-testid="jobs-filter-project">
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label className="jobs-filter">
        <span className="visually-hidden">State</span>
        <select className="text-input" value={filters.group ?? ''} onChange={(e) => set({ group: e.target.value === '' ? null : (e.target.value as JobGroup) })} data-testid="jobs-filter-state">
          <option value="">All states</option>
          {jobGroups.map((g) => (
            <option key={g} value={g}>
              {groupTitles[g]}
            </option>
          ))}
        </select>
      </label>
      <label className="jobs-filter jobs-filter-text">
        <Search size={13} aria-hidden="true" />
        <span className="visually-hidden">Name, id or command</span>
        <input
          className="text-input"
          type="search"
          placeholder="Filter by name, id or command"
          value={filters.text}
          onChange={(e) => set({ text: e.target.value })}
          data-testid="jobs-filter-text"
        />
      </label>
    </div>
  );
}

export function JobsEmpty({ filtered }: { filtered: boolean }) {
  if (filtered) {
    return (
      <div className="jobs-empty" data-testid="jobs-empty">
        <p>No job matches these filters.</p>
        <button type="button" className="button" onClick={() => appStore.getState().setJobFilters({ project: null, group: null, text: '' })}>
          Clear the filters
        </button>
      </div>
    );
  }
  return (
    <div className="jobs-empty" data-testid="jobs-empty">
      <Play size={32} strokeWidth={1.25} className="empty-icon" aria-hidden="true" />
      <p>
        <strong>No jobs yet.</strong> Run a program on the cluster's hosts and GPUs: it queues, gets placed, and its logs stream here.
      </p>
      <button type="button" className="button button-primary" onClick={() => appStore.getState().openJobForm({})} data-testid="jobs-empty-run">
        Run a job…
      </button>
      <p className="muted">
        Or from a terminal: <code className="mono">hopsdesk job submit --project demo --gpus 1 -- python train.py</code>
      </p>
    </div>
  );
}

export function JobList() {
  const jobs = useAppState((s) => s.jobs);
  const filters = useAppState((s) => s.jobFilters);
  const cursor = useAppState((s) => s.jobCursor);
  const next = useAppState((s) => s.jobsNext);
  const grouped = useMemo(() => groupedJobs(jobs, filters), [jobs, filters]);
  const total = jobGroups.reduce((n, g) => n + grouped[g].length, 0);
  const store = appStore.getState;
  const open = (jobId: string) => void jobsSession().actions.openJob(jobId);

  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => store().moveJobCursor(1),
      ArrowUp: () => store().moveJobCursor(-1),
      Home: () => store().moveJobCursor(-Infinity),
      End: () => store().moveJobCursor(Infinity),
      Enter: () => cursor !== null && open(cursor),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
    const id = store().jobCursor;
    if (id !== null) document.getElementById(rowId(id))?.scrollIntoView({ block: 'nearest' });
  };

  if (total === 0) return <JobsEmpty filtered={Object.keys(jobs).length > 0} />;
  return (
    <div
      className="job-list"
      role="grid"
      aria-label="Jobs"
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-activedescendant={cursor === null ? undefined : rowId(cursor)}
      data-testid="job-list"
    >
      {jobGroups.map((group) =>
        grouped[group].length === 0 ? null : (
          <div key={group} role="rowgroup" className="job-group" data-group={group}>
            <div role="row" className="job-group-title">
              <span role="columnheader">
                {groupTitles[group]} <span className="muted num">{grouped[group].length}</span>
              </span>
            </div>
            {grouped[group].map((job) => (
              <div
                key={job.jobId}
                id={rowId(job.jobId)}
                role="row"
                className="job-row"
                aria-selected={job.jobId === cursor}
                data-testid="job-row"
                data-job-id={job.jobId}
                data-state={job.state}
                onClick={() => store().pickJob(job.jobId)}
                onDoubleClick={() => open(job.jobId)}
              >
                <span role="gridcell" className="job-cell job-cell-state">
                  <JobStateBadge state={job.state} />
                </span>
                <span role="gridcell" className="job-cell job-cell-name">
                  <button type="button" className="link-button" tabIndex={-1} onClick={() => open(job.jobId)}>
                    {job.spec.name}
                  </button>
                  <span className="mono muted">{job.jobId}</span>
                </span>
                <span role="gridcell" className="job-cell job-cell-project">
                  {job.spec.project}
                </span>
                <span role="gridcell" className="job-cell job-cell-resources muted">
                  {resourcesWords(job)}
                </span>
                <span role="gridcell" className="job-cell job-cell-detail">
                  <DetailCell job={job} group={group} />
                </span>
                <span role="gridcell" className="job-cell job-cell-when muted num">
                  <WhenCell job={job} group={group} />
                </span>
              </div>
            ))}
          </div>
        ),
      )}
      {next !== null && (
        <button type="button" className="button job-more" onClick={() => void jobsSession().actions.loadMore()} data-testid="jobs-more">
          Load older jobs
        </button>
      )}
    </div>
  );
}
