/**
 * The folder on screen in the dataset explorer, as plain data: its entries read a page at a
 * time as the user scrolls (a folder may hold 100,000 files), the sort order, and the row
 * under the keyboard cursor. Pure functions; the slice holds one `Listing`.
 */
import type { FileStat, ListPage } from '../../protocol/fs.ts';
import type { LoadProblem } from './cluster-slice.ts';

export type SortOrder = 'asc' | 'desc';

export interface Listing {
  cluster: string;
  /** The folder listed. */
  path: string;
  /** Entries in the head's order (names in byte order), as many pages as were read. */
  entries: FileStat[];
  nextCursor: string | null;
  phase: 'loading' | 'ready' | 'error';
  /** A next page is being read. */
  loadingMore: boolean;
  problem: LoadProblem | null;
  sort: SortOrder;
  /** The row under the keyboard cursor, as shown (after sorting); -1 when the list is empty. */
  cursor: number;
}

/** Rows ahead of the last one drawn at which the next page is asked for. */
export const PREFETCH_ROWS = 200;

export function listingStarted(cluster: string, path: string, sort: SortOrder = 'asc'): Listing {
  return { cluster, path, entries: [], nextCursor: null, phase: 'loading', loadingMore: false, problem: null, sort, cursor: -1 };
}

/**
 * A page came: the first (`more` false) replaces the entries, a later one appends. The
 * cursor stays on `keep` when that path is listed (after a rename or a reload), else
 * within bounds.
 */
export function listingPageLoaded(listing: Listing, page: ListPage, more: boolean, keep?: string): Listing {
  const entries = more ? [...listing.entries, ...page.entries] : page.entries;
  const next: Listing = { ...listing, entries, nextCursor: page.nextCursor, phase: 'ready', loadingMore: false, problem: null };
  const kept = keep === undefined ? -1 : shownIndexOf(next, keep);
  const cursor = kept >= 0 ? kept : entries.length === 0 ? -1 : Math.min(Math.max(listing.cursor, 0), entries.length - 1);
  return { ...next, cursor };
}

export function listingFailed(listing: Listing, problem: LoadProblem): Listing {
  return { ...listing, phase: listing.entries.length > 0 ? 'ready' : 'error', loadingMore: false, problem };
}

/**
 * Descending order needs every page (the head lists ascending only); until they are all
 * read the list shows nothing rather than a wrong order.
 */
export function isSortPending(listing: Listing): boolean {
  return listing.sort === 'desc' && listing.nextCursor !== null;
}

/** Rows the list draws: every entry read, plus one "loading more" row while pages remain. */
export function rowCount(listing: Listing): number {
  if (isSortPending(listing)) return 0;
  return listing.entries.length + (listing.nextCursor !== null ? 1 : 0);
}

/** The entry drawn at row `index` in the chosen order; undefined for the "loading more" row. */
export function entryAt(listing: Listing, index: number): FileStat | undefined {
  if (index < 0 || index >= listing.entries.length) return undefined;
  return listing.sort === 'asc' ? listing.entries[index] : listing.entries[listing.entries.length - 1 - index];
}

/** Row of `path` as shown, or -1. */
export function shownIndexOf(listing: Listing, path: string): number {
  const at = listing.entries.findIndex((e) => e.path === path);
  if (at < 0) return -1;
  return listing.sort === 'asc' ? at : listing.entries.length - 1 - at;
}

/**
 * Whether to read the next page now: more remain, none is being read, and the last row
 * drawn is within `PREFETCH_ROWS` of the end — or every page is needed to sort.
 */
export function needsNextPage(listing: Listing, lastDrawnRow: number): boolean {
  if (listing.nextCursor === null || listing.loadingMore || listing.phase !== 'ready' || listing.problem !== null) return false;
  return isSortPending(listing) || lastDrawnRow >= listing.entries.length - PREFETCH_ROWS;
}

/** Moves the cursor by `delta` rows (or to an absolute row with `to`), within the entries. */
export function cursorMoved(listing: Listing, delta: number, to?: number): Listing {
  const count = listing.entries.length;
  if (count === 0 || isSortPending(listing)) return listing;
  const target = to ?? Math.max(listing.cursor, 0) + delta;
  return { ...listing, cursor: Math.min(count - 1, Math.max(0, target)) };
}

export function sortToggled(listing: Listing): Listing {
  return { ...listing, sort: listing.sort === 'asc' ? 'desc' : 'asc', cursor: listing.entries.length > 0 ? 0 : -1 };
}

/** Each folder above `path` down to it, for breadcrumbs: `/Projects/p/d/x` → p, d, x. */
export function breadcrumbsOf(path: string): Array<{ name: string; path: string }> {
  const names = path.split('/').slice(2);
  return names.map((name, i) => ({ name, path: `/Projects/${names.slice(0, i + 1).join('/')}` }));
}

/** The folder above `path`, or null at a project (the explorer's top). */
export function folderAbove(path: string): string | null {
  return path.split('/').length <= 3 ? null : path.slice(0, path.lastIndexOf('/'));
}
