/**
 * The dataset explorer's calls to the cluster filesystem (through the desktop core): read
 * the tree and the folder on screen a page at a time, make folders, rename, remove,
 * download, search. Answers go to the store; a refusal is kept with its hint and shown
 * next to what was tried, never swallowed.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import { fsPathProblem, type FileStat, type ListPage } from '../../protocol/fs.ts';
import type { AppState, AppStore } from '../store/app-state.ts';
import { selectActiveClusterName } from '../store/clusters-slice.ts';
import { folderAbove } from '../store/datasets-listing.ts';
import { copyHolding, isClusterUnreachable, isOfflineConnection, offlinePage } from '../store/datasets-offline.ts';
import { folderOf, TREE_ROOT } from '../store/datasets-tree.ts';
import type { FileCarrier } from './datasets-carriers.ts';
import { problemOf } from './problems.ts';

export interface DatasetActions {
  /** Whether files can be dragged out of the list to the desktop (the Electron app). */
  readonly canDragOut: boolean;
  /** Reads the projects at the tree's top (on showing the section, and Refresh). */
  loadTree(): Promise<void>;
  /** Opens or closes a folder of the tree, reading its sub-folders the first time. */
  toggle(path: string, open: boolean): Promise<void>;
  /** Reads the next page of a tree folder's sub-folders. */
  loadMoreTree(path: string): Promise<void>;
  /** Shows a folder (project, dataset or below) in the file list. */
  open(path: string): Promise<void>;
  /** Reads the next page of the folder on screen. */
  loadMore(): Promise<void>;
  /** Reads the folder on screen and its tree branch again. */
  refresh(): Promise<void>;
  /** Shows the folder above the one on screen. */
  up(): void;
  /** Enter on a row: a folder opens, a file shows in the preview pane. */
  activate(entry: FileStat): void;
  /** Makes a folder (a dataset, right under a project); true when the head took it. */
  createFolder(parent: string, name: string): Promise<boolean>;
  rename(entry: FileStat, name: string): Promise<boolean>;
  remove(entry: FileStat): Promise<boolean>;
  download(entry: FileStat): Promise<void>;
  dragOut(entry: FileStat): Promise<void>;
  /** Shares a dataset with another project (pending until a Data Owner there accepts); true when the head took it. */
  share(dataset: string, withProject: string, readOnly: boolean): Promise<boolean>;
  /** Copies a file or folder into the workspace for offline use, whole or the first `sampleRows` of each table. */
  makeOffline(entry: FileStat, sampleRows?: number): Promise<void>;
  /** Deletes the offline copy holding `entry` (it, or the folder above it that was copied). */
  removeOffline(entry: FileStat): Promise<void>;
  /** Accepts a dataset shared with `project` (a Data Owner there). */
  acceptShare(project: string, path: string): Promise<void>;
  /** Shows `project`'s trash in place of the file list (and reads it again). */
  openTrash(project: string): Promise<void>;
  closeTrash(): void;
  /** Puts a trash entry back where it was. */
  restore(project: string, trashId: number): Promise<void>;
  /** Names containing `query` under the folder on screen; an empty query ends the search. */
  search(query: string): Promise<void>;
  /** A change under `folder` (an upload finished): the list and tree there are read again, at most every 300 ms. */
  changedIn(folder: string): void;
  dispose(): void;
}

export interface DatasetActionsOptions {
  hops: HopsApi;
  store: AppStore;
  carrier: FileCarrier;
}

/** The Datasets section is on screen for a cluster whose tree was not read yet. */
const needsTree = (s: AppState): boolean => {
  const cluster = selectActiveClusterName(s);
  return s.layout.activeView === 'datasets' && s.loadPhase === 'ready' && cluster !== null && s.datasetsCluster !== cluster;
};

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** How often the explorer asks a cluster that stopped answering, while the core still calls it connected. */
const recheckMs = 5_000;

export function createDatasetActions({ hops, store, carrier }: DatasetActionsOptions): DatasetActions {
  const state = store.getState;
  const cluster = () => state().datasetsCluster ?? selectActiveClusterName(state()) ?? '';
  const fail = (action: string, err: unknown) => state().datasetProblemShown({ action, ...problemOf(err) });

  /** Reads the cluster's offline copies, for the ages and the "Available offline" marks; a failure leaves them unmarked. */
  const readCopies = async (name: string) => {
    try {
      const { copies } = await hops.offline.list({ cluster: name });
      if (name === cluster()) state().offlineCopiesLoaded({ cluster: name, copies });
    } catch (err) {
      fail('Could not read the offline copies', err);
    }
  };

  /**
   * A page of `path`: from the cluster, or from the offline copies while it cannot be
   * reached. An unreachable answer switches the explorer to the copies right away, rather
   * than waiting for the core to notice the lost link.
   */
  const readFolder = async (name: string, path: string, cursor: string | null): Promise<ListPage> => {
    if (!state().datasetsOffline) {
      try {
        return await hops.dataset.list({ cluster: name, path, ...(cursor !== null ? { cursor } : {}) });
      } catch (err) {
        if (!isClusterUnreachable(problemOf(err))) throw err;
        if (name === cluster() && !state().datasetsOffline) {
          state().datasetsOfflineChanged(true);
          void readCopies(name);
          scheduleRecheck();
        }
      }
    }
    return offlinePage((await hops.offline.listDir({ cluster: name, path })).entries);
  };

  const readTree = async (path: string, more: boolean) => {
    const folder = folderOf(state().datasetTree, path);
    if (folder.loading || (more && folder.nextCursor === null)) return;
    const name = cluster();
    state().treeReadStarted(path);
    try {
      const page = await readFolder(name, path, more ? folder.nextCursor : null);
      if (name === cluster()) state().treePageLoaded(path, page, more);
    } catch (err) {
      if (name === cluster()) state().treeReadFailed(path, problemOf(err));
    }
  };

  const readListing = async (path: string, more: boolean, keep?: string) => {
    const listing = state().listing;
    if (listing === null || listing.path !== path) return;
    const name = listing.cluster;
    if (more) {
      if (listing.nextCursor === null || listing.loadingMore) return;
      state().listingMoreStarted(path);
    }
    try {
      const page = await readFolder(name, path, more ? listing.nextCursor : null);
      state().listingPageLoaded(path, page, more, keep);
    } catch (err) {
      state().listingFailed(path, problemOf(err));
    }
  };

  /** Opens every folder of the tree above `path`, so the folder on screen shows there too. */
  const revealInTree = async (path: string) => {
    const names = path.split('/').slice(2);
    for (let i = 1; i < names.length; i++) {
      const folder = `${TREE_ROOT}/${names.slice(0, i).join('/')}`;
      if (state().datasetTree.expanded[folder] !== true) await actions.toggle(folder, true);
    }
  };

  /** Re-reads the folder on screen (keeping the cursor on `keep`) and the tree's view of `folder`. */
  const reread = async (folder: string, keep?: string) => {
    state().treeForgotten(folder);
    const tasks: Array<Promise<void>> = [];
    if (folder === TREE_ROOT || state().datasetTree.expanded[folder] === true) tasks.push(readTree(folder, false));
    if (state().listing?.path === folder) tasks.push(readListing(folder, false, keep));
    await Promise.all(tasks);
  };

  /** The project of a path under /Projects. */
  const projectOf = (path: string) => path.split('/')[2] ?? '';

  /** What is shared with the project on screen, read when another project comes on screen. */
  const readShares = async (project: string) => {
    try {
      const { incoming, outgoing } = await hops.dataset.shares({ cluster: cluster(), project });
      if (state().listing !== null && projectOf(state().listing!.path) === project) state().projectSharesLoaded({ project, incoming, outgoing });
    } catch {
      // Shares are extra information: the project's own files still show; nothing to offer.
      state().projectSharesLoaded(null);
    }
  };

  /**
   * The core can still say "connected" while the cluster does not answer (a hung agent): then
   * no change of the link brings the explorer back, so while it shows the copies for that
   * reason it asks the cluster again now and then, and reads it live once it answers.
   */
  let recheckTimer: ReturnType<typeof setTimeout> | null = null;
  const scheduleRecheck = () => {
    if (recheckTimer !== null) return;
    recheckTimer = setTimeout(() => {
      recheckTimer = null;
      const name = state().datasetsCluster;
      const stillHung = () => name === state().datasetsCluster && state().datasetsOffline && !isOfflineConnection(state().clusterConnection);
      if (name === null || !stillHung()) return;
      hops.dataset.list({ cluster: name, path: TREE_ROOT }).then(
        () => void (stillHung() && actions.refresh()),
        (err: unknown) => (isClusterUnreachable(problemOf(err)) ? scheduleRecheck() : void (stillHung() && actions.refresh())),
      );
    }, recheckMs);
  };

  let searchRun = 0;
  const pendingChanges = new Set<string>();
  let changeTimer: ReturnType<typeof setTimeout> | null = null;

  const actions: DatasetActions = {
    canDragOut: carrier.canDragOut,
    async loadTree() {
      const name = selectActiveClusterName(state());
      if (name === null) return;
      if (state().datasetsCluster !== name) state().datasetsReset(name);
      state().datasetsOfflineChanged(isOfflineConnection(state().clusterConnection));
      await Promise.all([readTree(TREE_ROOT, false), state().offlineCopies?.cluster === name ? undefined : readCopies(name)]);
    },
    async toggle(path, open) {
      state().treeToggled(path, open);
      if (open && !folderOf(state().datasetTree, path).loaded) await readTree(path, false);
    },
    loadMoreTree: (path) => readTree(path, true),
    async open(path) {
      const before = state().listing;
      state().listingStarted(cluster(), path);
      const project = projectOf(path);
      const shares = before === null || projectOf(before.path) !== project || state().projectShares?.project !== project ? readShares(project) : undefined;
      await Promise.all([readListing(path, false), revealInTree(path), shares]);
    },
    async loadMore() {
      const listing = state().listing;
      if (listing !== null && state().datasetSearch === null) await readListing(listing.path, true);
    },
    async refresh() {
      // Refresh tries the cluster again unless the core says it is out of reach.
      const wasOffline = state().datasetsOffline;
      state().datasetsOfflineChanged(isOfflineConnection(state().clusterConnection));
      const listing = state().listing;
      const folders = new Set(listing === null ? [] : [listing.path]);
      // Switched between the cluster and the copies: every open folder of the tree is read from the other.
      if (wasOffline !== state().datasetsOffline) for (const path of Object.keys(state().datasetTree.expanded)) folders.add(path);
      folders.delete(TREE_ROOT);
      await Promise.all([readTree(TREE_ROOT, false), ...[...folders].map((path) => reread(path))]);
    },
    up() {
      const listing = state().listing;
      if (state().datasetSearch !== null) {
        state().searchCleared();
        return;
      }
      const above = listing === null ? null : folderAbove(listing.path);
      if (above !== null) void actions.open(above);
    },
    activate(entry) {
      if (entry.type === 'dir') void actions.open(entry.path);
      else state().previewShown(entry.path);
    },
    async createFolder(parent, name) {
      const path = `${parent}/${name}`;
      const problem = fsPathProblem(path);
      if (problem !== undefined) {
        fail(`Could not make ${name}`, { code: 'PATH_INVALID', message: problem.message, hint: 'Choose another name.' });
        return false;
      }
      try {
        await hops.dataset.mkdir({ cluster: cluster(), path });
        state().datasetProblemShown(null);
        await reread(parent, path);
        return true;
      } catch (err) {
        fail(`Could not make ${name} in ${parent}`, err);
        return false;
      }
    },
    async rename(entry, name) {
      const parent = parentOf(entry.path);
      const to = `${parent}/${name}`;
      if (to === entry.path) return true;
      try {
        await hops.dataset.move({ cluster: cluster(), from: entry.path, to });
        state().datasetProblemShown(null);
        if (state().previewPath === entry.path) state().previewShown(to);
        await reread(parent, to);
        return true;
      } catch (err) {
        fail(`Could not rename ${entry.name} to ${name}`, err);
        return false;
      }
    },
    async remove(entry) {
      try {
        await hops.dataset.remove({ cluster: cluster(), path: entry.path, ...(entry.type === 'dir' ? { recursive: true } : {}) });
        state().datasetProblemShown(null);
        if (state().previewPath === entry.path) state().previewShown(null);
        // Removing the folder on screen (a dataset from the tree) leaves its parent on screen.
        const listing = state().listing;
        if (listing !== null && (listing.path === entry.path || listing.path.startsWith(`${entry.path}/`))) await actions.open(parentOf(entry.path));
        else await reread(parentOf(entry.path));
        state().notify('success', `Removed ${entry.path}.`);
        return true;
      } catch (err) {
        fail(`Could not remove ${entry.name}`, err);
        return false;
      }
    },
    async download(entry) {
      try {
        const started = await carrier.download(cluster(), entry.path);
        if (started) state().notify('info', `Downloading ${entry.name}.`);
      } catch (err) {
        fail(`Could not download ${entry.name}`, err);
      }
    },
    async dragOut(entry) {
      try {
        await carrier.dragOut(cluster(), entry.path);
      } catch (err) {
        fail(`Could not drag ${entry.name} out`, err);
      }
    },
    async share(dataset, withProject, readOnly) {
      try {
        await hops.dataset.share({ cluster: cluster(), path: dataset, withProject, readOnly });
        state().datasetProblemShown(null);
        state().notify('success', `Shared ${dataset} with ${withProject}${readOnly ? ', read-only' : ''}; it waits for a Data Owner of ${withProject} to accept.`);
        return true;
      } catch (err) {
        fail(`Could not share ${dataset} with ${withProject}`, err);
        return false;
      }
    },
    async makeOffline(entry, sampleRows) {
      state().notify('info', `Making ${entry.path} available offline…`);
      try {
        await hops.offline.make({ cluster: cluster(), path: entry.path, ...(sampleRows === undefined ? {} : { sampleRows }) });
        state().notify('success', `${entry.path} is available offline.`);
        await readCopies(cluster());
      } catch (err) {
        fail(`Could not make ${entry.name} available offline`, err);
      }
    },
    async removeOffline(entry) {
      const copy = copyHolding(state().offlineCopies?.copies ?? [], entry.path);
      const path = copy?.path ?? entry.path;
      try {
        await hops.offline.remove({ cluster: cluster(), path });
        state().datasetProblemShown(null);
        state().notify('success', `Removed the offline copy of ${path}.`);
        await readCopies(cluster());
        // While offline the list shows the copies: the removed one leaves it.
        if (state().datasetsOffline) await actions.refresh();
      } catch (err) {
        fail(`Could not remove the offline copy of ${path}`, err);
      }
    },
    async acceptShare(project, path) {
      try {
        await hops.dataset.acceptShare({ cluster: cluster(), project, path });
        state().datasetProblemShown(null);
        state().notify('success', `Accepted ${path} into ${project}.`);
        await Promise.all([readShares(project), reread(`${TREE_ROOT}/${project}`)]);
      } catch (err) {
        fail(`Could not accept ${path} into ${project}`, err);
      }
    },
    async openTrash(project) {
      const shown = state().trashView;
      state().trashViewChanged({ project, phase: 'loading', entries: shown?.project === project ? shown.entries : [], problem: null });
      try {
        const { entries } = await hops.dataset.trash({ cluster: cluster(), project });
        if (state().trashView?.project === project) state().trashViewChanged({ project, phase: 'ready', entries, problem: null });
      } catch (err) {
        if (state().trashView?.project === project) state().trashViewChanged({ project, phase: 'error', entries: [], problem: problemOf(err) });
      }
    },
    closeTrash: () => state().trashViewChanged(null),
    async restore(project, trashId) {
      const entry = state().trashView?.entries.find((e) => e.id === trashId);
      try {
        const restored = await hops.dataset.restore({ cluster: cluster(), project, trashId });
        state().datasetProblemShown(null);
        state().notify('success', `Restored ${restored.path}.`);
        await actions.openTrash(project);
        if (entry !== undefined) void reread(parentOf(restored.path));
      } catch (err) {
        fail(`Could not restore ${entry?.name ?? `entry ${trashId}`}`, err);
      }
    },
    async search(query) {
      const run = ++searchRun;
      const trimmed = query.trim();
      const listing = state().listing;
      if (trimmed === '' || listing === null) {
        state().searchCleared();
        return;
      }
      const name = listing.cluster;
      state().searchStarted(trimmed, listing.path, name);
      try {
        const { entries, truncated } = await hops.dataset.search({ cluster: name, path: listing.path, query: trimmed });
        if (run === searchRun) state().searchLoaded(trimmed, entries, truncated);
      } catch (err) {
        if (run === searchRun) state().searchFailed(trimmed, problemOf(err));
      }
    },
    changedIn(folder) {
      pendingChanges.add(folder);
      if (changeTimer !== null) return;
      changeTimer = setTimeout(() => {
        changeTimer = null;
        const folders = [...pendingChanges];
        pendingChanges.clear();
        for (const f of folders) void reread(f);
      }, 300);
    },
    dispose() {
      unsubscribe();
      if (changeTimer !== null) clearTimeout(changeTimer);
      if (recheckTimer !== null) clearTimeout(recheckTimer);
    },
  };

  // Read the tree when the section shows, and again for each cluster switched to.
  let scheduled = false;
  const unsubscribe = store.subscribe((next, previous) => {
    // The link to the cluster came or went: the explorer switches between it and the copies by itself.
    const offline = isOfflineConnection(next.clusterConnection);
    if (next.datasetsCluster !== null && offline !== isOfflineConnection(previous.clusterConnection) && offline !== next.datasetsOffline) {
      queueMicrotask(() => void actions.refresh());
    }
    // Coming back to the section: projects may have come or gone meanwhile.
    const shownAgain = next.layout.activeView === 'datasets' && previous.layout.activeView !== 'datasets' && next.datasetsCluster !== null && !needsTree(next);
    if (shownAgain) void readTree(TREE_ROOT, false);
    if (scheduled || !needsTree(next)) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      if (needsTree(state())) void actions.loadTree();
    });
  });

  return actions;
}
