/** The schedules of the user's projects: cron, next run, last job; delete with confirmation. */
import { CalendarClock, Trash2 } from 'lucide-react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { argvWords } from './job-words.ts';
import { jobsSession } from './jobs-session.ts';

export function SchedulesList() {
  const schedules = useAppState((s) => s.schedules);
  const phase = useAppState((s) => s.schedulesPhase);
  const store = appStore.getState;
  if (phase === 'loading' && schedules.length === 0) return <p className="muted jobs-pad">Reading the schedules…</p>;
  if (schedules.length === 0) {
    return (
      <div className="jobs-empty" data-testid="schedules-empty">
        <CalendarClock size={32} strokeWidth={1.25} className="empty-icon" aria-hidden="true" />
        <p>
          <strong>No schedules.</strong> A schedule submits a job on a cron timetable, e.g. every night at 03:00 UTC.
        </p>
        <button type="button" className="button button-primary" onClick={() => store().openJobForm({})}>
          Run a job… (and give it a schedule)
        </button>
      </div>
    );
  }
  return (
    <table className="schedules-table" data-testid="schedules">
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Project</th>
          <th scope="col">Cron (UTC)</th>
          <th scope="col">Next run</th>
          <th scope="col">Last job</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {[...schedules]
          .sort((a, b) => (a.nextRunMs ?? Infinity) - (b.nextRunMs ?? Infinity))
          .map((schedule) => (
            <tr key={schedule.scheduleId} data-testid="schedule-row" data-schedule-id={schedule.scheduleId}>
              <td>
                <span className="schedule-name">{schedule.spec.name}</span>
                <span className="mono muted schedule-argv">{argvWords(schedule)}</span>
              </td>
              <td>{schedule.project}</td>
              <td className="mono">{schedule.cron}</td>
              <td className="num">{schedule.nextRunMs === null ? <span className="muted">{schedule.enabled ? 'never' : 'paused'}</span> : <RelativeTime atMs={schedule.nextRunMs} />}</td>
              <td>
                {schedule.lastJobId === undefined ? (
                  <span className="muted">none yet</span>
                ) : (
                  <button type="button" className="link-button mono" onClick={() => void jobsSession().actions.openJob(schedule.lastJobId!)}>
                    {schedule.lastJobId}
                  </button>
                )}
              </td>
              <td>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Delete the schedule of ${schedule.spec.name}`}
                  title="Delete schedule…"
                  onClick={() => store().setJobsConfirm({ kind: 'delete-schedule', schedule })}
                  data-testid="schedule-delete"
                >
                  <Trash2 size={13} aria-hidden="true" />
                </button>
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
