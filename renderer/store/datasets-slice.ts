/**
 * The dataset explorer's state: the tree in the side bar, the folder on screen (or search
 * results in its place), the open dialog, the file in the preview pane, the transfers
 * drawer, and the last action that failed (shown with its hint until dismissed).
 */
import type { FileStat, ListPage } from '../../protocol/fs.ts';
import type { Share } from '../../protocol/fs-shares.ts';
import type { TrashEntry } from '../../protocol/fs-trash.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import type { LoadProblem } from './cluster-slice.ts';
import {
  cursorMoved,
  listingFailed,
  listingPageLoaded,
  listingStarted,
  sortToggled,
  type Listing,
} from './datasets-listing.ts';
import type { OfflineCopies } from './datasets-offline.ts';
import {
  emptyTree,
  treeForget,
  treePageLoaded,
  treeReadFailed,
  treeReadStarted,
  treeToggled,
  type DatasetTree,
} from './datasets-tree.ts';
import {
  finishedCleared,
  progressApplied,
  transferChanged,
  transferQueued,
  transferRequeued,
  type TransferProgress,
  type TransferRow,
} from './datasets-transfers.ts';

/** A dialog over the explorer: naming a new folder, renaming, confirming a removal, copying offline, sharing. */
export type DatasetDialog =
  | { kind: 'new-folder'; parent: string }
  | { kind: 'rename'; entry: FileStat }
  | { kind: 'remove'; entry: FileStat }
  | { kind: 'offline'; entry: FileStat }
  | { kind: 'remove-offline'; entry: FileStat }
  | { kind: 'share'; dataset: string; withProject: string };

/** A failed action: what was tried, and the answer. */
export interface DatasetProblem extends LoadProblem {
  action: string;
}

export interface DatasetSearch {
  query: string;
  /** Results as a listing of their own (no further pages), so the same list draws them. */
  results: Listing;
  truncated: boolean;
}

/** The shares of the project on screen: datasets offered to it (to accept) and its own shared out. */
export interface ProjectShares {
  project: string;
  incoming: Share[];
  outgoing: Share[];
}

/** A project's trash, shown in place of the file list. */
export interface TrashView {
  project: string;
  phase: 'loading' | 'ready' | 'error';
  entries: TrashEntry[];
  problem: LoadProblem | null;
}

export interface DatasetsSlice {
  /** The cluster the tree was read from; null until the section first shows. */
  datasetsCluster: string | null;
  datasetTree: DatasetTree;
  listing: Listing | null;
  datasetSearch: DatasetSearch | null;
  datasetDialog: DatasetDialog | null;
  datasetProblem: DatasetProblem | null;
  /** The file in the preview pane. */
  previewPath: string | null;
  transfers: TransferRow[];
  transfersOpen: boolean;
  projectShares: ProjectShares | null;
  trashView: TrashView | null;
  /** The tree and the list show the offline copies: the cluster cannot be reached. */
  datasetsOffline: boolean;
  /** The offline copies of the cluster on screen; null until read. */
  offlineCopies: OfflineCopies | null;

  datasetsReset(cluster: string): void;
  treeReadStarted(path: string): void;
  treePageLoaded(path: string, page: ListPage, more: boolean): void;
  treeReadFailed(path: string, problem: LoadProblem): void;
  treeToggled(path: string, open: boolean): void;
  /** Something changed under `path`: its children are read again when next shown. */
  treeForgotten(path: string): void;

  listingStarted(cluster: string, path: string): void;
  /** A page of `path` came; stale answers (another folder since) are ignored. */
  listingPageLoaded(path: string, page: ListPage, more: boolean, keep?: string): void;
  listingMoreStarted(path: string): void;
  listingFailed(path: string, problem: LoadProblem): void;
  listingCursorMoved(delta: number, to?: number): void;
  listingSortToggled(): void;

  searchStarted(query: string, scope: string, cluster: string): void;
  searchLoaded(query: string, entries: FileStat[], truncated: boolean): void;
  searchFailed(query: string, problem: LoadProblem): void;
  searchCleared(): void;

  datasetDialogShown(dialog: DatasetDialog | null): void;
  datasetProblemShown(problem: DatasetProblem | null): void;
  previewShown(path: string | null): void;

  transferQueued(row: Pick<TransferRow, 'key' | 'direction' | 'path' | 'label' | 'bytesTotal'>): void;
  transferChanged(key: string, patch: Partial<Pick<TransferRow, 'state' | 'bytesDone' | 'bytesTotal' | 'problem' | 'transferId'>>): void;
  /** A failed upload queued again (Retry). */
  transferRequeued(key: string): void;
  /** Progress events, applied in one change (they come in bursts while many files move). */
  transfersProgressed(events: TransferProgress[]): void;
  transfersCleared(): void;
  transfersOpened(open: boolean): void;
  projectSharesLoaded(shares: ProjectShares | null): void;
  /** Opens (or re-reads) a project's trash; null closes it. */
  trashViewChanged(view: TrashView | null): void;
  datasetsOfflineChanged(offline: boolean): void;
  offlineCopiesLoaded(copies: OfflineCopies | null): void;
}

export const createDatasetsSlice: SliceCreator<DatasetsSlice> = (set) => {
  const now = () => Date.now();
  const onListing = (path: string, change: (listing: Listing) => Listing) =>
    set((s) => (s.listing === null || s.listing.path !== path ? {} : { listing: change(s.listing) }));
  const onSearch = (query: string, change: (search: DatasetSearch) => DatasetSearch) =>
    set((s) => (s.datasetSearch === null || s.datasetSearch.query !== query ? {} : { datasetSearch: change(s.datasetSearch) }));
  return {
    datasetsCluster: null,
    datasetTree: emptyTree,
    listing: null,
    datasetSearch: null,
    datasetDialog: null,
    datasetProblem: null,
    previewPath: null,
    transfers: [],
    transfersOpen: false,
    projectShares: null,
    trashView: null,
    datasetsOffline: false,
    offlineCopies: null,

    datasetsReset: (cluster) =>
      set({
        datasetsCluster: cluster,
        datasetTree: emptyTree,
        listing: null,
        datasetSearch: null,
        datasetDialog: null,
        datasetProblem: null,
        previewPath: null,
        projectShares: null,
        trashView: null,
        offlineCopies: null,
      }),
    treeReadStarted: (path) => set((s) => ({ datasetTree: treeReadStarted(s.datasetTree, path) })),
    treePageLoaded: (path, page, more) => set((s) => ({ datasetTree: treePageLoaded(s.datasetTree, path, page, more) })),
    treeReadFailed: (path, problem) => set((s) => ({ datasetTree: treeReadFailed(s.datasetTree, path, problem) })),
    treeToggled: (path, open) => set((s) => ({ datasetTree: treeToggled(s.datasetTree, path, open) })),
    treeForgotten: (path) => set((s) => ({ datasetTree: treeForget(s.datasetTree, path) })),

    listingStarted: (cluster, path) =>
      set((s) => ({
        // A reload of the same folder keeps its rows on screen and its sort order.
        listing: s.listing !== null && s.listing.path === path && s.listing.cluster === cluster ? { ...s.listing, problem: null } : listingStarted(cluster, path, s.listing?.sort),
        datasetSearch: null,
        trashView: null,
        previewPath: s.listing?.path === path ? s.previewPath : null,
      })),
    listingPageLoaded: (path, page, more, keep) => onListing(path, (l) => listingPageLoaded(l, page, more, keep)),
    listingMoreStarted: (path) => onListing(path, (l) => ({ ...l, loadingMore: true })),
    listingFailed: (path, problem) => onListing(path, (l) => listingFailed(l, problem)),
    listingCursorMoved: (delta, to) =>
      set((s) =>
        s.datasetSearch !== null
          ? { datasetSearch: { ...s.datasetSearch, results: cursorMoved(s.datasetSearch.results, delta, to) } }
          : s.listing === null
            ? {}
            : { listing: cursorMoved(s.listing, delta, to) },
      ),
    listingSortToggled: () =>
      set((s) =>
        s.datasetSearch !== null
          ? { datasetSearch: { ...s.datasetSearch, results: sortToggled(s.datasetSearch.results) } }
          : s.listing === null
            ? {}
            : { listing: sortToggled(s.listing) },
      ),

    searchStarted: (query, scope, cluster) => set({ datasetSearch: { query, results: listingStarted(cluster, scope), truncated: false } }),
    searchLoaded: (query, entries, truncated) =>
      onSearch(query, (search) => ({ ...search, truncated, results: listingPageLoaded(search.results, { entries, nextCursor: null }, false) })),
    searchFailed: (query, problem) => onSearch(query, (search) => ({ ...search, results: listingFailed(search.results, problem) })),
    searchCleared: () => set({ datasetSearch: null }),

    datasetDialogShown: (datasetDialog) => set({ datasetDialog }),
    datasetProblemShown: (datasetProblem) => set({ datasetProblem }),
    previewShown: (previewPath) => set({ previewPath }),

    transferQueued: (row) => set((s) => ({ transfers: transferQueued(s.transfers, row, now()), transfersOpen: true })),
    transferChanged: (key, patch) => set((s) => ({ transfers: transferChanged(s.transfers, key, patch, now()) })),
    transferRequeued: (key) => set((s) => ({ transfers: transferRequeued(s.transfers, key, now()) })),
    transfersProgressed: (events) =>
      set((s) => {
        const at = now();
        return { transfers: events.reduce((rows, event) => progressApplied(rows, event, at), s.transfers) };
      }),
    transfersCleared: () => set((s) => ({ transfers: finishedCleared(s.transfers) })),
    transfersOpened: (transfersOpen) => set({ transfersOpen }),
    projectSharesLoaded: (projectShares) => set({ projectShares }),
    trashViewChanged: (trashView) => set({ trashView }),
    datasetsOfflineChanged: (datasetsOffline) => set({ datasetsOffline }),
    offlineCopiesLoaded: (offlineCopies) => set({ offlineCopies }),
  };
};

export const selectDatasetTree = (s: AppState): DatasetTree => s.datasetTree;
export const selectListing = (s: AppState): Listing | null => s.listing;
export const selectDatasetSearch = (s: AppState): DatasetSearch | null => s.datasetSearch;
/** What the file list draws: search results while a search is on, else the folder. */
export const selectShownListing = (s: AppState): Listing | null => s.datasetSearch?.results ?? s.listing;
export const selectDatasetDialog = (s: AppState): DatasetDialog | null => s.datasetDialog;
export const selectDatasetProblem = (s: AppState): DatasetProblem | null => s.datasetProblem;
export const selectPreviewPath = (s: AppState): string | null => s.previewPath;
export const selectTransfers = (s: AppState): TransferRow[] => s.transfers;
export const selectTransfersOpen = (s: AppState): boolean => s.transfersOpen;
export const selectProjectShares = (s: AppState): ProjectShares | null => s.projectShares;
export const selectTrashView = (s: AppState): TrashView | null => s.trashView;
export const selectDatasetsOffline = (s: AppState): boolean => s.datasetsOffline;
export const selectOfflineCopies = (s: AppState): OfflineCopies | null => s.offlineCopies;
