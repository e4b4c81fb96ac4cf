/** A job's states over time, oldest first: a dot per change with its time and words. */
import type { JobTimelineEntry } from '../../../protocol/jobs-api.ts';
import { formatClockTime, formatExactTime } from '../../format/time.ts';
import { jobStateLooks } from './job-state-look.ts';

export function JobTimeline({ entries }: { entries: readonly JobTimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">No changes recorded yet.</p>;
  return (
    <ol className="job-timeline" aria-label="State timeline" data-testid="job-timeline">
      {entries.map((entry, i) => {
        const look = jobStateLooks[entry.state];
        const Icon = look.icon;
        return (
          <li key={i} className="job-timeline-entry" data-tone={look.tone} data-state={entry.state}>
            <Icon className="icon" size={13} aria-hidden="true" />
            <span className="job-timeline-state">{look.word}</span>
            <time className="num muted" dateTime={new Date(entry.atMs).toISOString()} title={formatExactTime(entry.atMs)}>
              {formatClockTime(entry.atMs)}
            </time>
            {entry.message !== undefined && (
              <span className="job-timeline-message" title={entry.message}>
                {entry.message}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
