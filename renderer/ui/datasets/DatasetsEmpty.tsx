/**
 * The Datasets section before a folder is picked: what to do next, with the button that
 * does it — pick a project or dataset in the side bar, or make a project first.
 */
import { Database, FolderKanban } from 'lucide-react';
import { useAppState } from '../../store/app-store.ts';
import { selectDatasetTree } from '../../store/datasets-slice.ts';
import { folderOf, TREE_ROOT } from '../../store/datasets-tree.ts';
import { useSession } from '../session-context.ts';

export function DatasetsEmpty() {
  const session = useSession();
  const root = useAppState((s) => folderOf(selectDatasetTree(s), TREE_ROOT));
  const first = root.children[0];

  if (root.loaded && root.children.length === 0) {
    return (
      <div className="empty-state" data-testid="datasets-no-projects">
        <FolderKanban className="empty-icon" size={40} strokeWidth={1.25} aria-hidden="true" />
        <h1>No projects with data yet</h1>
        <p>Datasets live in projects. Create a project (you become its Data Owner), then come back to add datasets and upload files.</p>
        <div className="empty-actions">
          <button type="button" className="button button-primary" onClick={() => session.projects.openNewProject()}>
            <FolderKanban size={14} aria-hidden="true" /> New project…
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="empty-state" data-testid="datasets-pick">
      <Database className="empty-icon" size={40} strokeWidth={1.25} aria-hidden="true" />
      <h1>Datasets</h1>
      <p>Pick a project or a dataset in the side bar to see its files. Drop files on a dataset there to upload them.</p>
      {first !== undefined && (
        <div className="empty-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => void session.datasets.open(first)}
            data-testid="open-first-project"
          >
            <FolderKanban size={14} aria-hidden="true" /> Open {first.slice(first.lastIndexOf('/') + 1)}
          </button>
        </div>
      )}
    </div>
  );
}
