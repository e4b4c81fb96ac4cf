/**
 * One job: header (name, id, state, project, attempt) with Stop, Retry and Clone; why it
 * waits or how it ended; its command as argv; the state timeline; placement; the "after"
 * chain; resource charts; and the live log.
 */
import { ArrowLeft, Copy, RotateCcw, Square, SquareTerminal } from 'lucide-react';
import type { Job } from '../../../protocol/jobs-api.ts';
import { formatDuration } from '../../../protocol/quantities.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { isJobOver } from '../../store/jobs-list.ts';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { AfterGraph } from './AfterGraph.tsx';
import { JobLogView } from './JobLogView.tsx';
import { JobPlacement } from './JobPlacement.tsx';
import { JobStateBadge } from './JobStateBadge.tsx';
import { JobTimeline } from './JobTimeline.tsx';
import { JobUsageCharts } from './JobUsageCharts.tsx';
import { PastTime } from './PastTime.tsx';
import { argvWords, endWords, resourcesWords } from './job-words.ts';
import { jobsSession } from './jobs-session.ts';
import { openJobOutputTerminal } from '../../app/job-terminal.ts';
import { useSession } from '../session-context.ts';

function Summary({ job }: { job: Job }) {
  if (job.state === 'pending') {
    const reason = job.pendingReason;
    return (
      <p className="job-summary" data-tone="queued" data-testid="job-summary">
        {reason?.message ?? (job.after.length > 0 ? `Waits for ${job.after.join(', ')} to succeed.` : 'Waiting to be placed.')}
        {reason?.expectedStartMs !== undefined && (
          <>
            {' '}
            Expected to start <RelativeTime atMs={reason.expectedStartMs} />.
          </>
        )}
      </p>
    );
  }
  if (!isJobOver(job.state)) return null;
  const how = endWords(job);
  return (
    <p className="job-summary" data-tone={job.state === 'succeeded' ? 'healthy' : job.state === 'failed' ? 'failed' : 'neutral'} data-testid="job-summary">
      {job.message ?? (how === '' ? '' : `Ended: ${how}.`)}
      {job.startedAtMs !== undefined && job.endedAtMs !== undefined && ` Ran ${formatDuration(job.endedAtMs - job.startedAtMs)}.`}
    </p>
  );
}

export function JobPage({ jobId }: { jobId: string }) {
  const job = useAppState((s) => s.jobs[jobId]);
  const awaited = useAppState((s) => Object.values(s.jobs).some((j) => j.after.includes(jobId)));
  const actions = jobsSession().actions;
  const session = useSession();
  const store = appStore.getState;
  const back = (
    <button type="button" className="button button-small" onClick={() => store().showJobsPane({ kind: 'list' })} data-testid="job-back">
      <ArrowLeft size={13} aria-hidden="true" /> Jobs
    </button>
  );
  if (job === undefined) {
    return (
      <div className="job-page">
        {back}
        <p className="muted">Reading {jobId}…</p>
      </div>
    );
  }
  const over = isJobOver(job.state);
  const waiting = job.state === 'pending' ? 'The log starts when the job is placed on a host.' : null;
  return (
    <article className="job-page" aria-label={`Job ${job.spec.name}`} data-testid="job-page" data-job-id={job.jobId} data-state={job.state}>
      <header className="job-header">
        {back}
        <h1 className="job-title">{job.spec.name}</h1>
        <span className="mono muted" data-testid="job-id">
          {job.jobId}
        </span>
        <JobStateBadge state={job.state} />
        <span className="job-project" title="Project">
          {job.spec.project}
        </span>
        <span className="muted" data-testid="job-attempt">
          attempt {job.attempt}
          {(job.spec.retries ?? 0) > 0 && ` of ${(job.spec.retries ?? 0) + 1}`}
        </span>
        <span className="job-actions">
          <button
            type="button"
            className="button button-small"
            disabled={over || job.state === 'stopping'}
            onClick={() => store().setJobsConfirm({ kind: 'stop', job })}
            data-testid="job-stop"
          >
            <Square size={12} aria-hidden="true" /> Stop
          </button>
          <button type="button" className="button button-small" disabled={!over} onClick={() => void actions.retry(job.jobId)} data-testid="job-retry">
            <RotateCcw size={12} aria-hidden="true" /> Retry
          </button>
          <button type="button" className="button button-small" onClick={() => actions.clone(job)} data-testid="job-clone">
            <Copy size={12} aria-hidden="true" /> Clone
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={job.state === 'pending'}
            title="Follow its output in a terminal tab of the panel"
            onClick={() => void openJobOutputTerminal(job.jobId, session.terminals)}
            data-testid="job-terminal"
          >
            <SquareTerminal size={12} aria-hidden="true" /> Terminal
          </button>
        </span>
      </header>
      <Summary job={job} />
      <dl className="job-facts">
        <dt>Command</dt>
        <dd className="mono" data-testid="job-command" title="Run as these arguments, without a shell">
          {argvWords(job)}
        </dd>
        <dt>Asks for</dt>
        <dd>{resourcesWords(job)}</dd>
        <dt>Submitted</dt>
        <dd>
          <PastTime atMs={job.submittedAtMs} /> by {job.submittedBy}
        </dd>
        <dt>Logs</dt>
        <dd className="mono">{job.logDir}</dd>
      </dl>
      <div className="job-columns">
        <section className="job-panel" aria-labelledby="job-timeline-title">
          <h2 id="job-timeline-title">Timeline</h2>
          <JobTimeline entries={job.timeline} />
        </section>
        <section className="job-panel" aria-labelledby="job-placement-title">
          <h2 id="job-placement-title">Placement</h2>
          <JobPlacement placement={job.placement} />
        </section>
        {(job.after.length > 0 || awaited) && (
          <section className="job-panel" aria-labelledby="job-after-title">
            <h2 id="job-after-title">Chain</h2>
            <AfterGraph job={job} onOpen={(id) => void actions.openJob(id)} />
          </section>
        )}
      </div>
      {job.state !== 'pending' && <JobUsageCharts job={job} />}
      <JobLogView key={`${job.jobId}:${job.attempt}`} waiting={waiting} />
    </article>
  );
}
