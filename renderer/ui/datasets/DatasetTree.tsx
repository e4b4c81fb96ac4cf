/**
 * The Datasets side bar: projects → datasets → folders, read lazily as folders open. A
 * WAI-ARIA tree with one tab stop: arrows move, Right/Left open and close, Enter shows the
 * folder in the main area. Files dropped on a dataset or folder upload into it; a dataset
 * dragged onto another project offers to share it there. While the cluster cannot be reached
 * it shows the offline copies, each folder marked with the age of its copy, and takes no drops.
 */
import { ChevronDown, ChevronRight, CloudOff, Database, Folder, FolderKanban, LoaderCircle, Share2, TriangleAlert } from 'lucide-react';
import { useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectActiveClusterName } from '../../store/clusters-slice.ts';
import { selectDatasetsOffline, selectDatasetTree, selectListing, selectOfflineCopies } from '../../store/datasets-slice.ts';
import { offlineAgeOf } from '../../store/datasets-offline.ts';
import { formatExactTime } from '../../format/time.ts';
import { folderOf, TREE_ROOT, treeParentRow, visibleTreeRows, type TreeRow } from '../../store/datasets-tree.ts';
import { useSession } from '../session-context.ts';
import { carriesFiles, DATASET_DRAG_TYPE, droppedEntriesOf, uploadDropped } from './drop-entries.ts';
import { OfflineBadge } from './offline/OfflineBadge.tsx';

const iconOf = (row: Extract<TreeRow, { kind: 'folder' }>) => (row.depth === 1 ? FolderKanban : row.depth === 2 ? Database : Folder);
const projectOf = (path: string) => path.split('/')[2] ?? '';

/** The side bar is narrow: a folder from an offline copy shows an icon, the copy's time on hover. */
function OfflineAge({ copiedAtMs }: { copiedAtMs: number | undefined }) {
  if (copiedAtMs === undefined) return null;
  const when = `Offline copy, made ${formatExactTime(copiedAtMs)}`;
  return (
    <span className="tree-meta tree-offline" title={when} aria-label={when} role="img" data-testid="tree-offline">
      <CloudOff size={12} aria-hidden="true" />
    </span>
  );
}

export function DatasetTree() {
  const session = useSession();
  const tree = useAppState(selectDatasetTree);
  const listing = useAppState(selectListing);
  const cluster = useAppState(selectActiveClusterName);
  const offline = useAppState(selectDatasetsOffline);
  const copies = useAppState(selectOfflineCopies)?.copies;
  const rows = useMemo(() => visibleTreeRows(tree), [tree]);
  const [active, setActive] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const items = useRef(new Map<string, HTMLLIElement>());
  const root = folderOf(tree, TREE_ROOT);

  const shownPath = listing?.path ?? null;
  const tabStop = active !== null && rows.some((r) => r.path === active) ? active : (rows.find((r) => r.path === shownPath)?.path ?? rows[0]?.path ?? null);

  const moveTo = (index: number) => {
    const row = rows[index];
    if (row === undefined) return;
    setActive(row.path);
    items.current.get(row.path)?.focus();
  };

  const activate = (row: TreeRow) => {
    if (row.kind === 'more') void session.datasets.loadMoreTree(row.parent);
    else void session.datasets.open(row.path);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = rows.findIndex((r) => r.path === tabStop);
    const row = rows[index];
    if (row === undefined) return;
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(index + 1),
      ArrowUp: () => moveTo(index - 1),
      Home: () => moveTo(0),
      End: () => moveTo(rows.length - 1),
      ArrowRight: () => {
        if (row.kind !== 'folder') return;
        if (!row.expanded) void session.datasets.toggle(row.path, true);
        else if (rows[index + 1]?.depth === row.depth + 1) moveTo(index + 1);
      },
      ArrowLeft: () => {
        if (row.kind === 'folder' && row.expanded) void session.datasets.toggle(row.path, false);
        else moveTo(treeParentRow(rows, index));
      },
      Enter: () => activate(row),
      ' ': () => activate(row),
    };
    const handler = keys[event.key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
  };

  /** What a drag over `row` would do, or null when nothing. */
  const dropKind = (row: Extract<TreeRow, { kind: 'folder' }>, event: DragEvent): 'upload' | 'share' | null => {
    if (offline) return null;
    if (carriesFiles(event.dataTransfer)) return 'upload';
    if (row.depth === 1 && event.dataTransfer.types.includes(DATASET_DRAG_TYPE)) return 'share';
    return null;
  };

  const onDragOver = (row: Extract<TreeRow, { kind: 'folder' }>) => (event: DragEvent) => {
    const kind = dropKind(row, event);
    if (kind === null) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = kind === 'share' ? 'link' : 'copy';
    setDropTarget(row.path);
  };

  const onDrop = (row: Extract<TreeRow, { kind: 'folder' }>) => (event: DragEvent) => {
    const kind = dropKind(row, event);
    setDropTarget(null);
    if (kind === null) return;
    event.preventDefault();
    event.stopPropagation();
    if (kind === 'upload') {
      void uploadDropped(session, row.path, droppedEntriesOf(event.dataTransfer));
      return;
    }
    const dataset = event.dataTransfer.getData(DATASET_DRAG_TYPE);
    const withProject = projectOf(row.path);
    if (dataset.split('/').length !== 4 || projectOf(dataset) === withProject) return;
    appStore.getState().datasetDialogShown({ kind: 'share', dataset, withProject });
  };

  const register = (path: string) => (el: HTMLLIElement | null) => {
    if (el) items.current.set(path, el);
    else items.current.delete(path);
  };

  const rootAge = offline ? offlineAgeOf(copies ?? [], TREE_ROOT) : undefined;
  let body;
  if (rows.length > 0) {
    body = (
      <ul role="tree" aria-label="Projects and datasets" className="tree dataset-tree" onKeyDown={onKeyDown} data-testid="dataset-tree">
        {rows.map((row) => {
          const padding = { paddingLeft: 8 + (row.depth - 1) * 14 };
          if (row.kind === 'more') {
            return (
              <li key={row.path} ref={register(row.path)} role="treeitem" aria-level={row.depth} aria-selected={false} tabIndex={tabStop === row.path ? 0 : -1} className="tree-item" onFocus={() => setActive(row.path)}>
                <div className="tree-row tree-more" style={padding} onClick={() => activate(row)}>
                  <span className="tree-label">More…</span>
                </div>
              </li>
            );
          }
          const Icon = iconOf(row);
          const label = row.shared === null ? row.name : `${row.name}, shared from ${projectOf(row.path)}${row.shared.readOnly ? ', read-only' : ''}`;
          return (
            <li
              key={row.path}
              ref={register(row.path)}
              role="treeitem"
              aria-level={row.depth}
              aria-expanded={row.expanded}
              aria-selected={row.path === shownPath}
              aria-label={label}
              tabIndex={tabStop === row.path ? 0 : -1}
              className="tree-item"
              data-testid="dataset-tree-item"
              data-path={row.path}
              data-depth={row.depth}
              data-drop-target={dropTarget === row.path}
              draggable={!offline && row.depth === 2 && row.shared === null}
              onDragStart={(event) => {
                event.dataTransfer.setData(DATASET_DRAG_TYPE, row.path);
                event.dataTransfer.effectAllowed = 'link';
              }}
              onDragOver={onDragOver(row)}
              onDragLeave={() => setDropTarget((t) => (t === row.path ? null : t))}
              onDrop={onDrop(row)}
              onFocus={() => setActive(row.path)}
            >
              <div className="tree-row" style={padding} onClick={() => activate(row)} title={row.path}>
                <button
                  type="button"
                  className="tree-twisty"
                  tabIndex={-1}
                  aria-hidden="true"
                  onClick={(event) => {
                    event.stopPropagation();
                    void session.datasets.toggle(row.path, !row.expanded);
                  }}
                >
                  {row.loading ? <LoaderCircle className="spin" size={12} /> : row.expanded ? <ChevronDown size={14} /> : <ChevronRight size={14} />}
                </button>
                <Icon size={14} aria-hidden="true" />
                <span className="tree-label">{row.name}</span>
                {row.shared !== null && (
                  <span className="tree-meta shared-mark" title={`Shared from project ${projectOf(row.path)}${row.shared.readOnly ? ' (read-only)' : ''}`}>
                    <Share2 size={12} aria-hidden="true" /> {projectOf(row.path)}
                  </span>
                )}
                {offline && <OfflineAge copiedAtMs={offlineAgeOf(copies ?? [], row.path)?.copiedAtMs} />}
                {row.problem !== null && (
                  <span className="state-icon" data-tone="failed" title={`${row.problem.message} ${row.problem.hint}`}>
                    <TriangleAlert size={12} aria-hidden="true" />
                  </span>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    );
  } else if (root.problem !== null) {
    body = (
      <p className="side-bar-note" role="alert">
        Could not read the projects: {root.problem.message}{' '}
        <button type="button" className="link-button" onClick={() => void session.datasets.loadTree()}>
          Retry
        </button>
      </p>
    );
  } else if (root.loaded) {
    body = <p className="side-bar-note">No projects with data you can read. Create a project in the Projects section, then add datasets to it here.</p>;
  } else {
    body = <p className="side-bar-note">Reading the projects…</p>;
  }

  return (
    <section className="side-bar-section" aria-labelledby="datasets-heading">
      <h3 id="datasets-heading" className="side-bar-subheading">
        {cluster === null ? 'Projects' : `Projects on ${cluster}`}
      </h3>
      {offline && (
        <p className="side-bar-note tree-offline-note" data-testid="tree-offline-note">
          {rootAge === undefined ? 'No offline copies of this cluster.' : <OfflineBadge copiedAtMs={rootAge.copiedAtMs} sampleRows={rootAge.sampleRows} />}
        </p>
      )}
      {body}
    </section>
  );
}
