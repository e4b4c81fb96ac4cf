/**
 * The Jobs section's main area: the job list, a job's page, the job form or the schedules,
 * with the last refusal (what was tried, why, what to do) and the confirmations.
 */
import { CalendarClock, ListTree, Play, X } from 'lucide-react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { JobFilterBar, JobList } from './JobList.tsx';
import { JobForm } from './JobForm.tsx';
import { JobPage } from './JobPage.tsx';
import { SchedulesList } from './SchedulesList.tsx';
import { jobsSession } from './jobs-session.ts';
import '../../styles/jobs.css';

function JobsProblemBar() {
  const problem = useAppState((s) => s.jobsProblem);
  if (problem === null) return null;
  return (
    <div className="jobs-problem" role="alert" data-testid="jobs-problem" data-code={problem.code}>
      <div>
        <strong>{problem.action}:</strong> {problem.message}
        <p className="muted">{problem.hint}</p>
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => appStore.getState().setJobsProblem(null)}>
        <X size={13} aria-hidden="true" />
      </button>
    </div>
  );
}

function JobsConfirmDialog() {
  const confirm = useAppState((s) => s.jobsConfirm);
  const store = appStore.getState;
  if (confirm === null) return null;
  const cancel = () => store().setJobsConfirm(null);
  if (confirm.kind === 'stop') {
    const { job } = confirm;
    return (
      <ConfirmDialog
        title={`Stop ${job.spec.name}?`}
        confirmLabel="Stop job"
        danger
        onCancel={cancel}
        onConfirm={() => {
          cancel();
          void jobsSession().actions.stop(job.jobId);
        }}
      >
        <p>
          {job.state === 'pending'
            ? `${job.jobId} leaves the queue and never runs.`
            : `${job.jobId} gets SIGTERM, then SIGKILL if it has not ended; work not saved to its output is lost.`}
        </p>
      </ConfirmDialog>
    );
  }
  const { schedule } = confirm;
  return (
    <ConfirmDialog
      title={`Delete the schedule of ${schedule.spec.name}?`}
      confirmLabel="Delete schedule"
      danger
      onCancel={cancel}
      onConfirm={() => {
        cancel();
        void jobsSession().actions.removeSchedule(schedule.scheduleId);
      }}
    >
      <p>
        No more jobs are submitted at <code className="mono">{schedule.cron}</code> (UTC). Jobs it submitted stay.
      </p>
    </ConfirmDialog>
  );
}

export function JobsView() {
  const pane = useAppState((s) => s.jobsPane);
  const form = useAppState((s) => s.jobForm);
  const phase = useAppState((s) => s.jobsPhase);
  const store = appStore.getState;

  let content;
  if (pane.kind === 'form' && form !== null) content = <JobForm key={form.seq} opening={form} />;
  else if (pane.kind === 'job') content = <JobPage jobId={pane.jobId} />;
  else if (pane.kind === 'schedules') content = <SchedulesList />;
  else content = phase === 'loading' || phase === 'idle' ? <p className="muted jobs-pad">Reading the jobs…</p> : <JobList />;

  return (
    <div className="jobs-view" data-testid="jobs-view" data-pane={pane.kind}>
      {(pane.kind === 'list' || pane.kind === 'schedules') && (
        <div className="jobs-toolbar">
          <div className="jobs-tabs" role="tablist" aria-label="Jobs or schedules">
            <button type="button" role="tab" aria-selected={pane.kind === 'list'} className="jobs-tab" onClick={() => store().showJobsPane({ kind: 'list' })}>
              <ListTree size={13} aria-hidden="true" /> Jobs
            </button>
            <button type="button" role="tab" aria-selected={pane.kind === 'schedules'} className="jobs-tab" onClick={() => store().showJobsPane({ kind: 'schedules' })} data-testid="jobs-schedules-tab">
              <CalendarClock size={13} aria-hidden="true" /> Schedules
            </button>
          </div>
          {pane.kind === 'list' && <JobFilterBar />}
          <button type="button" className="button button-primary" onClick={() => store().openJobForm({})} data-testid="jobs-run">
            <Play size={13} aria-hidden="true" /> Run a job…
          </button>
        </div>
      )}
      <JobsProblemBar />
      <div className="jobs-content">{content}</div>
      <JobsConfirmDialog />
    </div>
  );
}
