/**
 * A project's trash in place of the file list: what was removed, by whom and when, when it
 * is purged for good, and Restore to put it back where it was.
 */
import { ArrowLeft, LoaderCircle, RotateCcw, Trash2 } from 'lucide-react';
import { formatBytes } from '../../format/bytes.ts';
import type { TrashView as TrashViewState } from '../../store/datasets-slice.ts';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { ProjectError } from '../projects/ProjectError.tsx';
import { useSession } from '../session-context.ts';

export function TrashView({ view }: { view: TrashViewState }) {
  const session = useSession();
  const { project } = view;
  return (
    <section className="trash-view" aria-label={`Trash of ${project}`} data-testid="trash-view">
      <header className="trash-header">
        <h2>
          <Trash2 size={14} aria-hidden="true" /> Trash of {project}
        </h2>
        <button type="button" className="button button-small" onClick={() => session.datasets.closeTrash()} autoFocus>
          <ArrowLeft size={12} aria-hidden="true" /> Back to the files
        </button>
      </header>
      {view.phase === 'error' && view.problem !== null ? (
        <ProjectError title={`Could not read the trash of ${project}`} problem={view.problem} context="trash" testId="dataset-error" onRetry={() => void session.datasets.openTrash(project)} />
      ) : view.phase === 'loading' && view.entries.length === 0 ? (
        <p className="loading-view">
          <LoaderCircle className="spin" size={14} aria-hidden="true" /> Reading the trash…
        </p>
      ) : view.entries.length === 0 ? (
        <div className="empty-state empty-folder">
          <p>The trash of {project} is empty. Removed files and folders wait here for 7 days before they are purged.</p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Was at</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Removed</th>
                <th scope="col">Purged</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {view.entries.map((entry) => (
                <tr key={entry.id} data-testid="trash-row" data-name={entry.name}>
                  <th scope="row" className="mono">
                    {entry.name}
                  </th>
                  <td className="mono muted">{entry.path}</td>
                  <td className="num">{formatBytes(entry.size)}</td>
                  <td>
                    <RelativeTime atMs={entry.removedAtMs} /> by {entry.removedBy}
                  </td>
                  <td>
                    <RelativeTime atMs={entry.purgeAtMs} />
                  </td>
                  <td>
                    <button type="button" className="button button-small" onClick={() => void session.datasets.restore(project, entry.id)} data-testid="trash-restore">
                      <RotateCcw size={12} aria-hidden="true" /> Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
