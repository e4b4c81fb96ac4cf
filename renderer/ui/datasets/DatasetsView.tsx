/**
 * The Datasets section's main area: breadcrumbs and actions over the folder on screen, its
 * virtualised file list (or search results), the preview pane for the file picked, the
 * transfers drawer, and the dialogs for naming, removing and sharing. Files dropped from
 * the OS anywhere on the list upload into the folder on screen. While the cluster cannot be
 * reached the list shows the offline copies, and what needs the cluster is off with why.
 */
import { ChevronRight, Database, Download, FolderPlus, Pencil, RefreshCw, Search, Trash2, Upload, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { FileStat } from '../../../protocol/fs.ts';
import { pickedFiles } from '../../app/datasets-drop.ts';
import { openInEditor } from '../../app/editor-window.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { breadcrumbsOf, entryAt } from '../../store/datasets-listing.ts';
import { copyHolding, OFFLINE_ACTION_TITLE, offlineAgeOf } from '../../store/datasets-offline.ts';
import { opensInEditor } from '../../store/editor-tabs.ts';
import {
  selectDatasetDialog,
  selectDatasetProblem,
  selectDatasetSearch,
  selectDatasetsOffline,
  selectListing,
  selectOfflineCopies,
  selectPreviewPath,
  selectShownListing,
  selectTrashView,
} from '../../store/datasets-slice.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { ProjectError } from '../projects/ProjectError.tsx';
import { useSession } from '../session-context.ts';
import { carriesFiles, droppedEntriesOf, uploadDropped, uploadFiles } from './drop-entries.ts';
import { EntryMenu, type MenuState } from './EntryMenu.tsx';
import { FileList } from './FileList.tsx';
import { NameDialog } from './NameDialog.tsx';
import { PreviewPane } from './PreviewPane.tsx';
import { ShareDialog } from './ShareDialog.tsx';
import { SharesStrip } from './SharesStrip.tsx';
import { TransfersDrawer } from './TransfersDrawer.tsx';
import { TrashView } from './TrashView.tsx';
import { DatasetsEmpty } from './DatasetsEmpty.tsx';
import { MakeOfflineDialog } from './offline/MakeOfflineDialog.tsx';
import { OfflineBadge } from './offline/OfflineBadge.tsx';

const noCopies: never[] = [];

export function DatasetsView() {
  const session = useSession();
  const listing = useAppState(selectListing);
  const shown = useAppState(selectShownListing);
  const search = useAppState(selectDatasetSearch);
  const dialog = useAppState(selectDatasetDialog);
  const problem = useAppState(selectDatasetProblem);
  const previewPath = useAppState(selectPreviewPath);
  const trash = useAppState(selectTrashView);
  const offline = useAppState(selectDatasetsOffline);
  const copies = useAppState(selectOfflineCopies)?.copies ?? noCopies;
  const [menu, setMenu] = useState<MenuState | null>(null);
  const [dropping, setDropping] = useState(false);
  const [query, setQuery] = useState('');
  const filePicker = useRef<HTMLInputElement>(null);
  const folderPicker = useRef<HTMLInputElement>(null);
  const store = appStore.getState;

  const taken = useMemo(() => new Set(listing?.entries.map((e) => e.name) ?? []), [listing?.entries]);
  const view = useRef<HTMLDivElement>(null);

  // Opening a folder from the list keeps the keyboard here: on the new list, or on the view
  // when the folder is empty (Backspace still goes up).
  const shownPath = listing?.path;
  const phase = shown?.phase;
  useEffect(() => {
    const active = document.activeElement;
    const here = active === document.body || (active !== null && view.current?.contains(active) === true);
    if (!here || phase !== 'ready') return;
    const list = view.current?.querySelector<HTMLElement>('[data-testid="file-list"]');
    (list ?? view.current)?.focus();
  }, [shownPath, phase]);

  if (listing === null || shown === null) return <DatasetsEmpty />;

  const folder = listing.path;
  const level = folder.split('/').length - 2; // 1: a project, 2: a dataset, deeper: a folder
  const atProject = level === 1;
  const project = folder.split('/')[2] ?? '';
  const cursorEntry = entryAt(shown, shown.cursor);
  const previewEntry = previewPath === null ? undefined : shown.entries.find((e) => e.path === previewPath);

  const focusList = () => document.querySelector<HTMLElement>('[data-testid="file-list"]')?.focus();
  // Delete and F2 still reach these offline: they say why nothing happens rather than nothing.
  const needsCluster = (then: () => void) => () => (offline ? store().notify('info', OFFLINE_ACTION_TITLE) : then());
  const askRemove = (entry: FileStat) => needsCluster(() => store().datasetDialogShown({ kind: 'remove', entry }))();
  const askRename = (entry: FileStat) => needsCluster(() => store().datasetDialogShown({ kind: 'rename', entry }))();
  const askNewFolder = needsCluster(() => store().datasetDialogShown({ kind: 'new-folder', parent: folder }));
  const offlineTitle = offline ? OFFLINE_ACTION_TITLE : undefined;
  const folderAge = offline ? offlineAgeOf(copies, folder) : undefined;
  const closeDialog = () => store().datasetDialogShown(null);
  // Double-click or Enter on a script or configuration file edits it; other files preview.
  const activate = (entry: FileStat) =>
    entry.type === 'file' && !offline && opensInEditor(entry.name) ? openInEditor(listing.cluster, entry.path) : session.datasets.activate(entry);

  const onDragOver = (event: DragEvent) => {
    if (offline || !carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDrop = (event: DragEvent) => {
    setDropping(false);
    if (offline || !carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    void uploadDropped(session, folder, droppedEntriesOf(event.dataTransfer));
  };
  const onPicked = (input: HTMLInputElement | null) => {
    if (input?.files === null || input === null || input.files.length === 0) return;
    void uploadFiles(session, folder, pickedFiles([...input.files]));
    input.value = '';
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      setQuery('');
      void session.datasets.search('');
      focusList();
    }
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      focusList();
    }
  };

  const trashWords = ' It goes to the project’s trash, from where it can be restored for 7 days.';

  return (
    <div
      ref={view}
      className="datasets-view"
      tabIndex={-1}
      onKeyDown={(event) => {
        // The list handles its own keys; elsewhere in the view (an empty folder) these still go up.
        const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
        if (event.defaultPrevented || typing || dialog !== null) return;
        if (event.key === 'Backspace' || (event.key === 'ArrowUp' && event.altKey)) {
          event.preventDefault();
          session.datasets.up();
        }
      }}
      data-testid="datasets-view"
      data-path={folder}
      data-dropping={dropping}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={onDrop}
    >
      <header className="datasets-toolbar">
        <nav aria-label="Folder path" className="breadcrumbs">
          <ol>
            {breadcrumbsOf(folder).map((crumb, i, all) => (
              <li key={crumb.path}>
                {i > 0 && <ChevronRight size={12} aria-hidden="true" className="crumb-sep" />}
                {i === all.length - 1 ? (
                  <span aria-current="location" className="crumb-current" data-testid="crumb-current">
                    {crumb.name}
                  </span>
                ) : (
                  <button type="button" className="crumb" onClick={() => void session.datasets.open(crumb.path)} data-testid="crumb">
                    {crumb.name}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <div className="datasets-actions">
          <form
            role="search"
            className="dataset-search"
            onSubmit={(event) => {
              event.preventDefault();
              void session.datasets.search(query);
            }}
          >
            <Search size={13} aria-hidden="true" />
            <input
              type="search"
              className="text-input"
              placeholder={`Search names in ${folder.slice(folder.lastIndexOf('/') + 1)}`}
              aria-label="Search by name"
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              onKeyDown={onSearchKey}
              disabled={offline}
              title={offlineTitle}
              data-testid="dataset-search"
            />
          </form>
          <button type="button" className="button button-small" onClick={askNewFolder} disabled={offline} title={offlineTitle} data-testid="new-folder">
            {atProject ? <Database size={13} aria-hidden="true" /> : <FolderPlus size={13} aria-hidden="true" />} {atProject ? 'New dataset…' : 'New folder…'}
          </button>
          <button type="button" className="button button-small" onClick={() => filePicker.current?.click()} disabled={atProject || offline} title={offlineTitle ?? (atProject ? 'Files live inside a dataset: open one first' : 'Upload files')} data-testid="upload-files">
            <Upload size={13} aria-hidden="true" /> Upload…
          </button>
          <button type="button" className="button button-small" onClick={() => folderPicker.current?.click()} disabled={offline} title={offlineTitle ?? 'Upload a folder with everything in it'} data-testid="upload-folder">
            <Upload size={13} aria-hidden="true" /> Folder…
          </button>
          <button type="button" className="icon-button" aria-label={`Trash of ${project}`} title={offlineTitle ?? `Trash of ${project}: restore what was removed`} disabled={offline} onClick={() => void session.datasets.openTrash(project)} data-testid="open-trash">
            <Trash2 size={14} aria-hidden="true" />
          </button>
          <button type="button" className="icon-button" aria-label="Refresh" title="Refresh" onClick={() => void session.datasets.refresh()} data-testid="datasets-refresh">
            <RefreshCw size={14} aria-hidden="true" />
          </button>
          <input ref={filePicker} type="file" multiple hidden onChange={(event) => onPicked(event.target)} data-testid="file-picker" />
          <input
            ref={(el) => {
              folderPicker.current = el;
              // React has no prop for it; the attribute makes the picker choose folders.
              el?.setAttribute('webkitdirectory', '');
            }}
            type="file"
            hidden
            onChange={(event) => onPicked(event.target)}
            data-testid="folder-picker"
          />
        </div>
      </header>

      {problem !== null && (
        <div className="datasets-problem">
          <ProjectError title={problem.action} problem={problem} context="datasets" testId="dataset-error" onDismiss={() => store().datasetProblemShown(null)} />
        </div>
      )}

      {search !== null && (
        <p className="search-note" data-testid="search-note">
          {search.results.phase === 'loading'
            ? `Searching for “${search.query}”…`
            : `${search.results.entries.length}${search.truncated ? '+' : ''} name${search.results.entries.length === 1 ? '' : 's'} with “${search.query}” under ${folder}`}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setQuery('');
              void session.datasets.search('');
            }}
          >
            <X size={12} aria-hidden="true" /> Clear search
          </button>
        </p>
      )}

      {offline && (
        <p className="datasets-offline-note" data-testid="datasets-offline-note">
          {folderAge === undefined ? <span>No offline copy holds this folder.</span> : <OfflineBadge copiedAtMs={folderAge.copiedAtMs} sampleRows={folderAge.sampleRows} />}
          <span className="muted">The cluster cannot be reached: this shows the offline copies. Hopsdesk switches back when it connects.</span>
        </p>
      )}

      <SharesStrip project={project} />

      <div className="datasets-body">
        <div className="datasets-list-area">
          {trash !== null ? (
            <TrashView view={trash} />
          ) : shown.phase === 'error' && shown.problem !== null ? (
            <ProjectError title={`Could not read ${folder}`} problem={shown.problem} context="list" testId="dataset-error" onRetry={() => void session.datasets.refresh()} />
          ) : shown.phase === 'ready' && shown.entries.length === 0 ? (
            <div className="empty-state empty-folder" data-testid="folder-empty">
              {search !== null ? (
                <p>No names with “{search.query}” under {folder}.</p>
              ) : atProject ? (
                <>
                  <Database className="empty-icon" size={36} strokeWidth={1.25} aria-hidden="true" />
                  <h1>No datasets in {folder.slice(folder.lastIndexOf('/') + 1)} yet</h1>
                  <p>A dataset is a folder of files the project’s members share. Make one, or drop a folder here to upload it as a dataset.</p>
                  <div className="empty-actions">
                    <button type="button" className="button button-primary" onClick={askNewFolder} disabled={offline} title={offlineTitle}>
                      <Database size={14} aria-hidden="true" /> New dataset…
                    </button>
                  </div>
                </>
              ) : (
                <>
                  <Upload className="empty-icon" size={36} strokeWidth={1.25} aria-hidden="true" />
                  <h1>This folder is empty</h1>
                  <p>Drop files or folders here to upload them, or pick them with Upload.</p>
                  <div className="empty-actions">
                    <button type="button" className="button button-primary" onClick={() => filePicker.current?.click()} disabled={offline} title={offlineTitle}>
                      <Upload size={14} aria-hidden="true" /> Upload…
                    </button>
                    <button type="button" className="button" onClick={askNewFolder} disabled={offline} title={offlineTitle}>
                      <FolderPlus size={14} aria-hidden="true" /> New folder…
                    </button>
                  </div>
                </>
              )}
            </div>
          ) : (
            <FileList
              listing={shown}
              label={search !== null ? `Names with ${search.query}` : `Files in ${folder.slice(folder.lastIndexOf('/') + 1)}`}
              showFolder={search !== null}
              onCursor={(delta, to) => store().listingCursorMoved(delta, to)}
              onActivate={activate}
              onUp={() => session.datasets.up()}
              onRemove={askRemove}
              onRename={askRename}
              onMenu={(entry, at) => setMenu({ entry, ...at })}
              onNeedMore={() => void session.datasets.loadMore()}
              onSort={() => store().listingSortToggled()}
              offline={offline}
              copies={copies}
              {...(session.datasets.canDragOut ? { onDragOut: (entry: FileStat) => void session.datasets.dragOut(entry) } : {})}
            />
          )}
          {trash === null && cursorEntry !== undefined && (
            <div className="row-actions" aria-label={`Actions on ${cursorEntry.name}`} role="toolbar">
              <span className="row-actions-name mono">{cursorEntry.name}</span>
              {cursorEntry.type === 'file' && (
                <button type="button" className="button button-small" onClick={() => void session.datasets.download(cursorEntry)} disabled={offline} title={offlineTitle} data-testid="download">
                  <Download size={13} aria-hidden="true" /> Download
                </button>
              )}
              {cursorEntry.sharedFrom === undefined ? (
                <>
                  <button type="button" className="button button-small" onClick={() => askRename(cursorEntry)} disabled={offline} title={offlineTitle} data-testid="rename" aria-keyshortcuts="F2">
                    <Pencil size={13} aria-hidden="true" /> Rename…
                  </button>
                  <button type="button" className="button button-small" onClick={() => askRemove(cursorEntry)} disabled={offline} title={offlineTitle} data-testid="remove" aria-keyshortcuts="Delete">
                    <Trash2 size={13} aria-hidden="true" /> Remove…
                  </button>
                </>
              ) : (
                <span className="muted">
                  Shared from {cursorEntry.sharedFrom.project}
                  {cursorEntry.sharedFrom.readOnly ? ', read-only' : ''}: its Data Owners rename or remove it.
                </span>
              )}
            </div>
          )}
          {dropping && (
            <div className="drop-overlay" aria-hidden="true">
              <Upload size={28} /> Drop to upload into {folder.slice(folder.lastIndexOf('/') + 1)}
            </div>
          )}
        </div>
        {previewPath !== null && (
          <PreviewPane
            cluster={listing.cluster}
            path={previewPath}
            entry={previewEntry}
            onDownload={(entry) => void session.datasets.download(entry)}
            onClose={() => {
              store().previewShown(null);
              focusList();
            }}
          />
        )}
      </div>

      <TransfersDrawer />

      {menu !== null && (
        <EntryMenu
          menu={menu}
          atProject={atProject}
          offline={offline}
          hasCopy={copyHolding(copies, menu.entry.path) !== undefined}
          onClose={() => {
            setMenu(null);
            focusList();
          }}
          onOpen={(entry) => session.datasets.activate(entry)}
          onOpenInEditor={(entry) => openInEditor(listing.cluster, entry.path)}
          onDownload={(entry) => void session.datasets.download(entry)}
          onRename={askRename}
          onRemove={askRemove}
          onNewFolder={askNewFolder}
          onOffline={(entry) => store().datasetDialogShown({ kind: 'offline', entry })}
          onRemoveOffline={(entry) => store().datasetDialogShown({ kind: 'remove-offline', entry })}
        />
      )}

      {dialog?.kind === 'new-folder' && (
        <NameDialog
          title={dialog.parent.split('/').length === 3 ? 'New dataset' : 'New folder'}
          parent={dialog.parent}
          initial=""
          confirmLabel="Create"
          taken={taken}
          onSubmit={(name) => session.datasets.createFolder(dialog.parent, name)}
          onCancel={closeDialog}
        />
      )}
      {dialog?.kind === 'rename' && (
        <NameDialog
          title={`Rename ${dialog.entry.name}`}
          parent={dialog.entry.path.slice(0, dialog.entry.path.lastIndexOf('/'))}
          initial={dialog.entry.name}
          confirmLabel="Rename"
          taken={taken}
          onSubmit={(name) => session.datasets.rename(dialog.entry, name)}
          onCancel={closeDialog}
        />
      )}
      {dialog?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${dialog.entry.name}?`}
          confirmLabel="Remove"
          danger
          onCancel={closeDialog}
          onConfirm={() => {
            const entry = dialog.entry;
            closeDialog();
            void session.datasets.remove(entry).then(focusList);
          }}
        >
          <p>
            {dialog.entry.type === 'dir' ? 'The folder' : 'The file'} <span className="mono">{dialog.entry.path}</span>
            {dialog.entry.type === 'dir' ? ' and everything in it' : ''} will be removed.{trashWords}
          </p>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'offline' && (
        <MakeOfflineDialog
          path={dialog.entry.path}
          onClose={closeDialog}
          onConfirm={({ sampleRows }) => {
            const entry = dialog.entry;
            closeDialog();
            void session.datasets.makeOffline(entry, sampleRows);
          }}
        />
      )}
      {dialog?.kind === 'remove-offline' && (
        <ConfirmDialog
          title="Remove the offline copy?"
          confirmLabel="Remove offline copy"
          danger
          onCancel={closeDialog}
          onConfirm={() => {
            const entry = dialog.entry;
            closeDialog();
            void session.datasets.removeOffline(entry).then(focusList);
          }}
        >
          <p>
            The copy of <span className="mono">{copyHolding(copies, dialog.entry.path)?.path ?? dialog.entry.path}</span> is deleted from this workspace. The data on the cluster stays;
            it can be made available offline again while connected.
          </p>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'share' && (
        <ShareDialog
          dataset={dialog.dataset}
          withProject={dialog.withProject}
          onShare={(readOnly) => session.datasets.share(dialog.dataset, dialog.withProject, readOnly)}
          onCancel={closeDialog}
        />
      )}
    </div>
  );
}
