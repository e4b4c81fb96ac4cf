/**
 * Who did what in a project, newest last: when, who, the action, what it was about and the
 * head's words. Reads the first page when shown; "Load more" asks for what came after the
 * last entry (the head pages forward only).
 */
import { LoaderCircle } from 'lucide-react';
import { useEffect } from 'react';
import { useAppState } from '../../store/app-store.ts';
import { selectAudit } from '../../store/audit-slice.ts';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { useSession } from '../session-context.ts';
import { ProjectError } from './ProjectError.tsx';

export function AuditTable({ project }: { project: string }) {
  const session = useSession();
  const audit = useAppState(selectAudit);
  const mine = audit?.project === project ? audit : null;

  useEffect(() => {
    if (mine === null) void session.projects.loadAudit();
  }, [mine, project, session]);

  if (mine === null || mine.phase === 'loading') {
    return (
      <p className="loading-inline">
        <LoaderCircle className="spin" size={14} aria-hidden="true" /> Reading the audit log…
      </p>
    );
  }

  return (
    <div className="audit-log">
      {mine.problem !== null && (
        <ProjectError
          title={`Could not read the audit log of ${project}`}
          problem={mine.problem}
          context="audit"
          onRetry={() => void (mine.entries.length === 0 ? session.projects.loadAudit() : session.projects.loadMoreAudit())}
        />
      )}
      {mine.phase === 'ready' && (
        <>
          <div className="table-scroll">
            <table className="data-table audit-table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">User</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {mine.entries.length === 0 ? (
                  <tr>
                    <td colSpan={5} className="table-empty">
                      Nothing recorded yet.
                    </td>
                  </tr>
                ) : (
                  mine.entries.map((entry) => (
                    <tr key={entry.seq} data-testid="audit-row" data-seq={entry.seq} data-action={entry.action}>
                      <td className="num audit-when">
                        <RelativeTime atMs={entry.atMs} />
                      </td>
                      <td className="mono">{entry.user}</td>
                      <td className="mono">{entry.action}</td>
                      <td className="mono">{entry.target ?? <span className="muted">—</span>}</td>
                      <td className="audit-detail">{entry.detail}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <div className="audit-footer">
            <span className="muted num">
              {mine.entries.length === 1 ? '1 entry' : `${mine.entries.length} entries`}, oldest first
              {mine.hasMore ? '; there are more.' : '; Load more fetches what happened since.'}
            </span>
            <button type="button" className="button" onClick={() => void session.projects.loadMoreAudit()} disabled={mine.loadingMore} data-testid="audit-more">
              {mine.loadingMore && <LoaderCircle className="spin" size={14} aria-hidden="true" />}
              Load more
            </button>
          </div>
        </>
      )}
    </div>
  );
}
