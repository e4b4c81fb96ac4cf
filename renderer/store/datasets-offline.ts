/**
 * The dataset explorer with no cluster: when the cluster cannot be reached the tree and the
 * file list show the offline copies in the workspace instead (`offline.listDir`), each row
 * marked with the age of the copy it comes from. Pure functions; the slice holds the copies.
 */
import type { Connection } from '../../protocol/desktop-api.ts';
import { fsIsWithin, type FileStat, type ListPage } from '../../protocol/fs.ts';
import type { OfflineCopy, OfflineEntry } from '../../protocol/previews.ts';
import type { LoadProblem } from './cluster-slice.ts';

/** Answers that mean the cluster is out of reach (not that the request was wrong): read the copies instead. */
const unreachableCodes = new Set(['AGENT_UNREACHABLE', 'AGENT_START_FAILED', 'SSH_UNREACHABLE']);

export function isClusterUnreachable(problem: LoadProblem): boolean {
  return unreachableCodes.has(problem.code);
}

/**
 * Whether the explorer reads the copies rather than the cluster: the core says the cluster
 * is not connected. Null (the core has not said yet) is not offline: the live listing is
 * tried, and an unreachable answer turns the copies on then.
 */
export function isOfflineConnection(connection: Connection | null): boolean {
  return connection !== null && connection.state !== 'connected';
}

/** The offline copies of one cluster, read once per cluster and again after each copy is made or removed. */
export interface OfflineCopies {
  cluster: string;
  copies: OfflineCopy[];
}

/** The copy that holds `path` (it or a folder above it was copied), for the "Available offline" marker. */
export function copyHolding(copies: readonly OfflineCopy[], path: string): OfflineCopy | undefined {
  return copies.find((copy) => fsIsWithin(path, copy.path));
}

/**
 * How old what the explorer shows at `path` is: the copy holding it, else (a folder above
 * the copies) the oldest copy under it, so the badge never claims fresher data than some
 * row has. Undefined when no copy is at or under `path`.
 */
export function offlineAgeOf(copies: readonly OfflineCopy[], path: string): { copiedAtMs: number; sampleRows: number | null } | undefined {
  const holder = copyHolding(copies, path);
  if (holder !== undefined) return { copiedAtMs: holder.copiedAtMs, sampleRows: holder.sampleRows };
  const under = copies.filter((copy) => fsIsWithin(copy.path, path));
  if (under.length === 0) return undefined;
  const oldest = under.reduce((a, b) => (b.copiedAtMs < a.copiedAtMs ? b : a));
  return { copiedAtMs: oldest.copiedAtMs, sampleRows: under.every((c) => c.sampleRows === null) ? null : oldest.sampleRows };
}

/**
 * A directory of the copies as a page of the cluster's listing, so the same tree and list
 * draw it. What the copies do not keep (replication, block size, author) reads as zero or
 * empty; the rows are marked offline, never taken for live ones.
 */
export function offlinePage(entries: readonly OfflineEntry[]): ListPage {
  return {
    entries: entries.map((e): FileStat => ({ ...e, replication: 0, blockSize: 0, complete: true, createdBy: '' })),
    nextCursor: null,
  };
}

/** Why an action is off while the explorer shows the copies; said in the button's title. */
export const OFFLINE_ACTION_TITLE = 'Needs the cluster, which cannot be reached; this shows the offline copies.';
