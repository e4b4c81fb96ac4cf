import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileStat } from '../../protocol/fs.ts';
import {
  breadcrumbsOf,
  cursorMoved,
  entryAt,
  folderAbove,
  isSortPending,
  listingFailed,
  listingPageLoaded,
  listingStarted,
  needsNextPage,
  PREFETCH_ROWS,
  rowCount,
  sortToggled,
} from './datasets-listing.ts';

const entry = (i: number): FileStat => ({
  path: `/Projects/p/d/f${String(i).padStart(6, '0')}`,
  name: `f${String(i).padStart(6, '0')}`,
  type: 'file',
  size: i,
  replication: 1,
  blockSize: 4096,
  mtimeMs: 1,
  complete: true,
  createdBy: 'ana',
});
const page = (from: number, count: number, next: string | null) => ({ entries: Array.from({ length: count }, (_, i) => entry(from + i)), nextCursor: next });

describe('folder listing', () => {
  it('reads pages as the end comes near, and only one at a time', () => {
    let listing = listingStarted('local', '/Projects/p/d');
    assert.equal(needsNextPage(listing, 0), false, 'nothing before the first page');
    listing = listingPageLoaded(listing, page(0, 1000, 'c1'), false);
    assert.equal(rowCount(listing), 1001, 'a "reading more" row follows the entries');
    assert.equal(needsNextPage(listing, 10), false);
    assert.equal(needsNextPage(listing, 1000 - PREFETCH_ROWS), true);
    listing = { ...listing, loadingMore: true };
    assert.equal(needsNextPage(listing, 999), false, 'a page in flight is not asked for again');
    listing = listingPageLoaded(listing, page(1000, 1000, null), true);
    assert.equal(listing.entries.length, 2000);
    assert.equal(rowCount(listing), 2000);
    assert.equal(needsNextPage(listing, 1999), false, 'the last page was read');
  });

  it('holds 100,000 entries and reaches any row at once', () => {
    let listing = listingPageLoaded(listingStarted('local', '/Projects/p/d'), page(0, 1000, 'c'), false);
    for (let p = 1; p < 100; p++) listing = listingPageLoaded(listing, page(p * 1000, 1000, p === 99 ? null : 'c'), true);
    assert.equal(rowCount(listing), 100_000);
    assert.equal(entryAt(listing, 99_999)?.name, 'f099999');
    listing = cursorMoved(listing, 0, 99_999);
    assert.equal(listing.cursor, 99_999);
    assert.equal(cursorMoved(listing, 5).cursor, 99_999, 'the cursor stays within the entries');
  });

  it('sorts descending only once every page is read', () => {
    let listing = listingPageLoaded(listingStarted('local', '/x'), page(0, 3, 'c'), false);
    listing = sortToggled(listing);
    assert.equal(isSortPending(listing), true);
    assert.equal(rowCount(listing), 0, 'no half-sorted rows are shown');
    assert.equal(needsNextPage(listing, -1), true, 'every page is asked for');
    listing = listingPageLoaded(listing, page(3, 2, null), true);
    assert.deepEqual([0, 1, 4].map((i) => entryAt(listing, i)?.size), [4, 3, 0]);
  });

  it('keeps the cursor on a renamed entry after the reload', () => {
    let listing = listingPageLoaded(listingStarted('local', '/x'), page(0, 10, null), false);
    listing = cursorMoved(listing, 0, 2);
    listing = listingPageLoaded(listing, page(0, 10, null), false, entry(7).path);
    assert.equal(listing.cursor, 7);
  });

  it('keeps rows on screen when a later page fails, and says why', () => {
    const problem = { code: 'AGENT_UNREACHABLE', message: 'down', hint: 'wait' };
    const listing = listingFailed(listingPageLoaded(listingStarted('local', '/x'), page(0, 5, 'c'), false), problem);
    assert.equal(listing.phase, 'ready');
    assert.equal(needsNextPage(listing, 4), false, 'no retry loop; Refresh retries');
    assert.equal(listingFailed(listingStarted('local', '/x'), problem).phase, 'error');
  });

  it('names the folders above a path for breadcrumbs, up to the project', () => {
    assert.deepEqual(breadcrumbsOf('/Projects/p/d/x'), [
      { name: 'p', path: '/Projects/p' },
      { name: 'd', path: '/Projects/p/d' },
      { name: 'x', path: '/Projects/p/d/x' },
    ]);
    assert.equal(folderAbove('/Projects/p/d'), '/Projects/p');
    assert.equal(folderAbove('/Projects/p'), null);
  });
});
