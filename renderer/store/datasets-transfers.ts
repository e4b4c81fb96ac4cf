/**
 * Uploads and downloads as the transfers drawer shows them: one row per file with its
 * bytes, rate and state, fed by what this window started and by the core's
 * `transfer.progress` events. Events are matched by `transferId` when they carry one, else
 * by direction and path. Pure functions over an array of rows.
 */
import type { EventPayload } from '../../protocol/desktop-api.ts';
import type { LoadProblem } from './cluster-slice.ts';

export type TransferDirection = 'upload' | 'download';
export type TransferState = 'queued' | 'running' | 'retrying' | 'done' | 'failed' | 'cancelled';

/** The event as the core sends it; `transferId` and `state` come from cores that track them. */
export type TransferProgress = EventPayload<'transfer.progress'> & { transferId?: string; state?: string };

export interface TransferRow {
  /** This window's key for the row (stable across its life). */
  key: string;
  /** The core's id, once an event named it; needed to cancel through the core. */
  transferId: string | null;
  direction: TransferDirection;
  /** Cluster filesystem path. */
  path: string;
  /** What the row shows: the file's name, or its path inside a dropped folder. */
  label: string;
  bytesDone: number;
  bytesTotal: number | null;
  state: TransferState;
  startedAtMs: number;
  updatedAtMs: number;
  /** Smoothed bytes per second while running. */
  rate: number;
  problem: LoadProblem | null;
  /** While resuming: why the transfer was interrupted, as the core said. */
  interruption: string | null;
}

/** Rows kept; finished ones beyond this fall off the end. */
export const TRANSFER_ROWS_KEPT = 500;

const finalStates = new Set<TransferState>(['done', 'failed', 'cancelled']);
export const isFinal = (state: TransferState): boolean => finalStates.has(state);

export function transferQueued(rows: TransferRow[], row: Pick<TransferRow, 'key' | 'direction' | 'path' | 'label' | 'bytesTotal'>, nowMs: number): TransferRow[] {
  const queued: TransferRow = { ...row, transferId: null, bytesDone: 0, state: 'queued', startedAtMs: nowMs, updatedAtMs: nowMs, rate: 0, problem: null, interruption: null };
  return trim([...rows.filter((r) => r.key !== row.key), queued]);
}

/** A row this window drives changed state (started, finished, failed, cancelled). */
export function transferChanged(rows: TransferRow[], key: string, patch: Partial<Pick<TransferRow, 'state' | 'bytesDone' | 'bytesTotal' | 'problem' | 'transferId'>>, nowMs: number): TransferRow[] {
  return rows.map((r) => {
    if (r.key !== key) return r;
    const next = { ...r, ...patch, updatedAtMs: nowMs };
    if (patch.state === 'running' && r.state === 'queued') next.startedAtMs = nowMs;
    if (patch.state === 'done' && next.bytesTotal !== null) next.bytesDone = next.bytesTotal;
    return next;
  });
}

/** A failed row sent again (Retry): queued, from no bytes, its old cause gone; same key and id. */
export function transferRequeued(rows: TransferRow[], key: string, nowMs: number): TransferRow[] {
  return rows.map((r) => (r.key === key ? { ...r, state: 'queued', bytesDone: 0, rate: 0, problem: null, startedAtMs: nowMs, updatedAtMs: nowMs } : r));
}

const eventStates: Record<string, TransferState> = { running: 'running', retrying: 'retrying', done: 'done', failed: 'failed', cancelled: 'cancelled' };

/**
 * Applies a progress event: to the row with its `transferId`, else to the unfinished row
 * of the same direction and path (the oldest first). An event no row matches is a
 * transfer started elsewhere (the CLI against this core, a browser download): it gets a
 * row of its own, so the drawer shows everything moving.
 */
export function progressApplied(rows: TransferRow[], event: TransferProgress, nowMs: number): TransferRow[] {
  const id = event.transferId ?? null;
  // This window names its own transfers: their row key is the id their events carry.
  const isIt = (r: TransferRow) => r.transferId === id || r.key === id;
  let index = id === null ? -1 : rows.findIndex(isIt);
  if (index < 0) index = rows.findIndex((r) => !isFinal(r.state) && r.direction === event.direction && r.path === event.path && (r.transferId === null || r.transferId === id));
  const state = event.state === undefined ? undefined : eventStates[event.state];
  if (index < 0) {
    // A late event of a finished transfer is not a new one.
    if (rows.some((r) => r.direction === event.direction && r.path === event.path && id === null && isFinal(r.state) && nowMs - r.updatedAtMs < 2_000)) return rows;
    const key = id ?? `${event.direction}:${event.path}:${nowMs}`;
    const fresh: TransferRow = {
      key,
      transferId: id,
      direction: event.direction,
      path: event.path,
      label: event.path.slice(event.path.lastIndexOf('/') + 1),
      bytesDone: event.bytesDone,
      bytesTotal: event.bytesTotal,
      state: state ?? 'running',
      startedAtMs: nowMs,
      updatedAtMs: nowMs,
      rate: 0,
      problem: null,
      interruption: event.reason ?? null,
    };
    return trim([...rows, fresh]);
  }
  return rows.map((r, i) => {
    if (i !== index) return r;
    // A row already finished keeps its state and bytes: a late event only names its id.
    const nextState = state ?? 'running';
    // After a retry the count restarts at the offset the head committed; the rate restarts too.
    const rate = event.bytesDone < r.bytesDone ? 0 : nextRate(r, event.bytesDone, nowMs);
    if (isFinal(r.state)) return { ...r, transferId: id ?? r.transferId };
    const interruption = nextState === 'retrying' ? (event.reason ?? r.interruption) : null;
    return { ...r, transferId: id ?? r.transferId, bytesDone: event.bytesDone, bytesTotal: event.bytesTotal ?? r.bytesTotal, state: nextState, updatedAtMs: nowMs, rate, interruption };
  });
}

/** An exponentially smoothed rate, so one slow chunk does not make the number jump. */
function nextRate(row: TransferRow, bytesDone: number, nowMs: number): number {
  const seconds = (nowMs - row.updatedAtMs) / 1000;
  if (seconds <= 0 || bytesDone < row.bytesDone) return row.rate;
  const instant = (bytesDone - row.bytesDone) / seconds;
  return row.rate === 0 ? instant : row.rate * 0.7 + instant * 0.3;
}

/** Seconds left at the current rate, or null when unknown. */
export function secondsLeft(row: TransferRow): number | null {
  if (row.bytesTotal === null || row.rate <= 0 || isFinal(row.state)) return null;
  return Math.max(0, (row.bytesTotal - row.bytesDone) / row.rate);
}

/** 0–100 for the bar; a file of 0 bytes is 100 once done. */
export function percentOf(row: TransferRow): number {
  if (row.state === 'done') return 100;
  if (row.bytesTotal === null || row.bytesTotal === 0) return 0;
  return Math.min(100, (row.bytesDone / row.bytesTotal) * 100);
}

export interface TransfersSummary {
  active: number;
  failed: number;
  done: number;
  bytesDone: number;
  bytesTotal: number;
}

/** What the drawer's header says: how many are moving, done, failed, and the bytes of those moving. */
export function transfersSummary(rows: TransferRow[]): TransfersSummary {
  const summary: TransfersSummary = { active: 0, failed: 0, done: 0, bytesDone: 0, bytesTotal: 0 };
  for (const r of rows) {
    if (r.state === 'done') summary.done += 1;
    else if (r.state === 'failed') summary.failed += 1;
    else if (!isFinal(r.state)) {
      summary.active += 1;
      summary.bytesDone += r.bytesDone;
      summary.bytesTotal += r.bytesTotal ?? 0;
    }
  }
  return summary;
}

/** Rows the drawer draws: the moving ones first, then the newest finished ones, at most `max`. */
export function transfersToDraw(rows: TransferRow[], max = 100): TransferRow[] {
  const moving = rows.filter((r) => !isFinal(r.state));
  const finished = rows.filter((r) => isFinal(r.state)).reverse();
  return [...moving, ...finished].slice(0, max);
}

/** Drops finished rows (Clear). */
export function finishedCleared(rows: TransferRow[]): TransferRow[] {
  return rows.filter((r) => !isFinal(r.state));
}

function trim(rows: TransferRow[]): TransferRow[] {
  if (rows.length <= TRANSFER_ROWS_KEPT) return rows;
  let excess = rows.length - TRANSFER_ROWS_KEPT;
  return rows.filter((r) => !(excess > 0 && isFinal(r.state) && excess-- > 0));
}
