/**
 * The folder on screen as a dense, virtualised grid: only the rows in view (plus a few)
 * are in the DOM, so a folder of 100,000 files scrolls as smoothly as one of ten, and the
 * next page is read as the end comes into view. Focus stays on the grid; the row under
 * the cursor is its active descendant. Arrows move, Enter opens or previews, Backspace or
 * Alt+Up goes up, Delete asks to remove, F2 renames. Rows from an offline copy carry its
 * age; live rows that also have a copy say "Available offline".
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, File, Folder, LoaderCircle } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { FileStat } from '../../../protocol/fs.ts';
import type { OfflineCopy } from '../../../protocol/previews.ts';
import { formatBytes } from '../../format/bytes.ts';
import { entryAt, isSortPending, needsNextPage, rowCount, type Listing } from '../../store/datasets-listing.ts';
import { formatExactTime, formatRelativeTime } from '../../format/time.ts';
import { copyHolding, offlineAgeOf } from '../../store/datasets-offline.ts';
import { useNow } from '../common/use-now.ts';
import { HealthBadge } from './HealthBadge.tsx';
import { OfflineBadge } from './offline/OfflineBadge.tsx';

export const ROW_HEIGHT = 24;

export interface FileListProps {
  listing: Listing;
  /** Label for the grid: "Files in images". */
  label: string;
  /** Search results show their folder under the name. */
  showFolder?: boolean;
  onCursor(delta: number, to?: number): void;
  onActivate(entry: FileStat): void;
  onUp(): void;
  onRemove(entry: FileStat): void;
  onRename(entry: FileStat): void;
  onMenu(entry: FileStat, at: { x: number; y: number }): void;
  onNeedMore(): void;
  onSort(): void;
  /** Set when rows can be dragged out to the desktop. */
  onDragOut?(entry: FileStat): void;
  /** The rows come from the offline copies (the cluster cannot be reached). */
  offline: boolean;
  /** The cluster's offline copies, for the ages and the "Available offline" marks. */
  copies: readonly OfflineCopy[];
}

/** The mark after a row's name: the age of the copy it was read from, or that a copy of it exists. */
function OfflineMark({ entry, offline, copies }: { entry: FileStat; offline: boolean; copies: readonly OfflineCopy[] }) {
  if (offline) {
    const age = offlineAgeOf(copies, entry.path);
    return age === undefined ? null : <OfflineBadge copiedAtMs={age.copiedAtMs} sampleRows={age.sampleRows} />;
  }
  const copy = copyHolding(copies, entry.path);
  if (copy === undefined) return null;
  return (
    <span className="badge offline-available" title={`Copied for offline use ${formatExactTime(copy.copiedAtMs)}`} data-testid="available-offline">
      Available offline
    </span>
  );
}

const rowId = (index: number) => `file-row-${index}`;

/**
 * "12 s ago" with the exact time on hover. The shared clock ticks every few seconds, so a
 * file written since the last tick would read "in 3 s": it is "just now" instead.
 */
function Modified({ atMs }: { atMs: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(atMs).toISOString()} title={formatExactTime(atMs)}>
      {formatRelativeTime(atMs, Math.max(now, atMs))}
    </time>
  );
}

export function FileList(props: FileListProps) {
  const { listing } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const count = rowCount(listing);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastDrawn = items.at(-1)?.index ?? -1;

  // Read the next page once the end is near (or every page, to sort descending).
  useEffect(() => {
    if (needsNextPage(listing, lastDrawn)) props.onNeedMore();
  });

  // Keep the cursor's row in view after every key that moves it (Home at row 0 after
  // scrolling away still brings row 0 back).
  const [moves, setMoves] = useState(0);
  useEffect(() => {
    if (listing.cursor >= 0) virtualizer.scrollToIndex(listing.cursor, { align: 'auto' });
  }, [listing.cursor, moves, virtualizer]);

  const cursorEntry = entryAt(listing, listing.cursor);
  const pageRows = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);

  const onKeyDown = (event: KeyboardEvent) => {
    const entry = cursorEntry;
    const keys: Record<string, () => void> = {
      ArrowDown: () => props.onCursor(1),
      ArrowUp: () => (event.altKey ? props.onUp() : props.onCursor(-1)),
      PageDown: () => props.onCursor(pageRows),
      PageUp: () => props.onCursor(-pageRows),
      Home: () => props.onCursor(0, 0),
      End: () => props.onCursor(0, listing.entries.length - 1),
      Enter: () => entry && props.onActivate(entry),
      Backspace: () => props.onUp(),
      // A dataset shared into this project is the other project's to rename or remove.
      Delete: () => entry && entry.sharedFrom === undefined && props.onRemove(entry),
      F2: () => entry && entry.sharedFrom === undefined && props.onRename(entry),
      ContextMenu: () => entry && openMenuAtRow(entry),
    };
    const key = event.key === 'F10' && event.shiftKey ? 'ContextMenu' : event.key;
    const handler = keys[key];
    if (handler === undefined) return;
    event.preventDefault();
    handler();
    setMoves((n) => n + 1);
  };

  const openMenuAtRow = (entry: FileStat) => {
    const row = document.getElementById(rowId(listing.cursor))?.getBoundingClientRect();
    props.onMenu(entry, { x: (row?.left ?? 0) + 40, y: (row?.bottom ?? 0) - 2 });
  };

  const onRowMouse = (index: number, entry: FileStat) => (event: MouseEvent) => {
    props.onCursor(0, index);
    if (event.type === 'dblclick') props.onActivate(entry);
    if (event.type === 'contextmenu') {
      event.preventDefault();
      props.onMenu(entry, { x: event.clientX, y: event.clientY });
    }
  };

  return (
    <div className="file-list">
      <div className="file-row file-header" role="row" aria-rowindex={1}>
        <div role="columnheader" className="file-cell file-name" aria-sort={listing.sort === 'asc' ? 'ascending' : 'descending'}>
          <button type="button" className="sort-button" onClick={props.onSort} title="Sort by name" data-testid="sort-by-name">
            Name {listing.sort === 'asc' ? <ArrowUp size={11} aria-hidden="true" /> : <ArrowDown size={11} aria-hidden="true" />}
          </button>
        </div>
        <div role="columnheader" className="file-cell file-size">Size</div>
        <div role="columnheader" className="file-cell file-time">Modified</div>
        <div role="columnheader" className="file-cell file-replication">Replication</div>
        <div role="columnheader" className="file-cell file-owner">Created by</div>
      </div>
      <div
        ref={scroller}
        className="file-scroll"
        role="grid"
        aria-label={props.label}
        aria-rowcount={listing.nextCursor === null ? listing.entries.length + 1 : -1}
        aria-activedescendant={cursorEntry === undefined ? undefined : rowId(listing.cursor)}
        aria-keyshortcuts="Enter Backspace Alt+ArrowUp Delete F2"
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="file-list"
        data-rows={listing.entries.length}
      >
        {isSortPending(listing) && (
          <p className="file-list-note">
            <LoaderCircle className="spin" size={13} aria-hidden="true" /> Reading all {listing.entries.length.toLocaleString()}+ entries to sort them…
          </p>
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const entry = entryAt(listing, item.index);
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            if (entry === undefined) {
              return (
                <div key="more" className="file-row file-more" role="row" style={style} aria-rowindex={item.index + 2}>
                  <div role="gridcell" className="file-cell">
                    <LoaderCircle className="spin" size={12} aria-hidden="true" /> Reading more…
                  </div>
                </div>
              );
            }
            const dir = entry.type === 'dir';
            return (
              <div
                key={entry.path}
                id={rowId(item.index)}
                className="file-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={item.index === listing.cursor}
                style={style}
                data-testid="file-row"
                data-name={entry.name}
                data-type={entry.type}
                draggable={props.onDragOut !== undefined && !dir}
                onDragStart={(event) => {
                  if (props.onDragOut === undefined) return;
                  event.preventDefault();
                  props.onDragOut(entry);
                }}
                onClick={onRowMouse(item.index, entry)}
                onDoubleClick={onRowMouse(item.index, entry)}
                onContextMenu={onRowMouse(item.index, entry)}
              >
                <div role="gridcell" className="file-cell file-name" title={entry.path}>
                  {dir ? <Folder size={14} aria-hidden="true" className="file-icon-dir" /> : <File size={14} aria-hidden="true" />}
                  <span className="file-name-text">{entry.name}</span>
                  {props.showFolder && <span className="file-folder mono">{entry.path.slice(0, entry.path.lastIndexOf('/'))}</span>}
                  {entry.sharedFrom !== undefined && <span className="badge">shared</span>}
                  <OfflineMark entry={entry} offline={props.offline} copies={props.copies} />
                </div>
                <div role="gridcell" className="file-cell file-size num" data-testid="file-size" data-bytes={dir ? undefined : entry.size}>
                  {dir ? '' : formatBytes(entry.size)}
                </div>
                <div role="gridcell" className="file-cell file-time">
                  <Modified atMs={entry.mtimeMs} />
                </div>
                <div role="gridcell" className="file-cell file-replication">
                  {/* The copies keep no replicas: a health read from them would be made up. */}
                  {dir || props.offline ? '' : <HealthBadge replication={entry.replication} health={entry.health} />}
                </div>
                <div role="gridcell" className="file-cell file-owner">
                  {entry.createdBy}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
