/**
 * What each host's provisioning is doing now, folded from `provision.progress` events:
 * one row per cluster and target, with the upload rate worked out from the byte counts.
 * Pure and immutable, so the store hands rows to React as they are.
 */
import type { ProvisionPhase, ProvisionProgress } from '../../protocol/cluster-setup.ts';

/** A `ProvisionPhase`, or a newer one this renderer does not know (shown by its detail). */
export type Phase = ProvisionPhase | (string & {});

export interface ProvisionRow {
  cluster: string;
  target: string;
  hostId?: string;
  phase: Phase;
  detail: string;
  bytesDone?: number;
  bytesTotal?: number;
  /** Upload speed since this upload started, once two byte counts a moment apart are known. */
  bytesPerSecond?: number;
  error?: { code: string; message: string; hint: string };
  /** When this run of the host began, and when it last reported. */
  startedAtMs: number;
  atMs: number;
  /** The first byte count of the current upload, for the rate. */
  uploadFrom?: { atMs: number; bytes: number };
  /** The furthest install step this run reached, so a failed row still shows where it stopped. */
  lastStep?: Phase;
}

export type ProvisionRows = Readonly<Record<string, ProvisionRow>>;

/** Phases after which nothing more happens to the host until someone acts again. */
const FINAL: ReadonlySet<Phase> = new Set<Phase>(['healthy', 'removed', 'failed']);

/** The steps of an install in order, for "step 3 of 7" and a bar that fills with them. */
export const INSTALL_STEPS: readonly Phase[] = ['connecting', 'checking', 'uploading', 'installing', 'starting', 'joining', 'healthy'];

export function isPhaseFinal(phase: Phase): boolean {
  return FINAL.has(phase);
}

/** The key of a host's row: targets are unique within a cluster. */
export function progressKey(cluster: string, target: string): string {
  return `${cluster}\u0000${target}`;
}

/** `rows` with `event` applied; the same object when the event is stale. */
export function applyProgress(rows: ProvisionRows, event: ProvisionProgress): ProvisionRows {
  const key = progressKey(event.cluster, event.target);
  const previous = rows[key];
  // Events may overtake each other on the way; an older one must not undo a newer one.
  if (previous !== undefined && event.atMs < previous.atMs) return rows;
  const newRun = previous === undefined || (isPhaseFinal(previous.phase) && !isPhaseFinal(event.phase));
  const row: ProvisionRow = {
    cluster: event.cluster,
    target: event.target,
    phase: event.phase,
    detail: event.detail,
    startedAtMs: newRun ? event.atMs : previous.startedAtMs,
    atMs: event.atMs,
  };
  const hostId = event.hostId ?? (newRun ? undefined : previous.hostId);
  if (hostId !== undefined) row.hostId = hostId;
  const lastStep = INSTALL_STEPS.includes(event.phase) ? event.phase : newRun ? undefined : previous.lastStep;
  if (lastStep !== undefined) row.lastStep = lastStep;
  if (event.error !== undefined) row.error = event.error;
  if (event.phase === 'uploading' && event.bytesDone !== undefined) {
    row.bytesDone = event.bytesDone;
    if (event.bytesTotal !== undefined) row.bytesTotal = event.bytesTotal;
    const from = !newRun && previous.phase === 'uploading' && previous.uploadFrom !== undefined ? previous.uploadFrom : { atMs: event.atMs, bytes: event.bytesDone };
    row.uploadFrom = from;
    const seconds = (event.atMs - from.atMs) / 1000;
    if (seconds >= 0.2 && event.bytesDone >= from.bytes) row.bytesPerSecond = (event.bytesDone - from.bytes) / seconds;
  } else if (event.bytesTotal !== undefined) {
    row.bytesTotal = event.bytesTotal;
    if (event.bytesDone !== undefined) row.bytesDone = event.bytesDone;
  }
  return { ...rows, [key]: row };
}

/** The rows of one cluster, in the order their runs began. */
export function rowsOfCluster(rows: ProvisionRows, cluster: string): ProvisionRow[] {
  return Object.values(rows)
    .filter((r) => r.cluster === cluster)
    .sort((a, b) => a.startedAtMs - b.startedAtMs || a.target.localeCompare(b.target));
}

/** Forgets a cluster's rows, e.g. after it was uninstalled. */
export function withoutCluster(rows: ProvisionRows, cluster: string): ProvisionRows {
  return Object.fromEntries(Object.entries(rows).filter(([, r]) => r.cluster !== cluster));
}

/** Seconds until the upload ends at the current rate, or null while unknown. */
export function uploadSecondsLeft(row: ProvisionRow): number | null {
  if (row.bytesPerSecond === undefined || row.bytesPerSecond <= 0 || row.bytesTotal === undefined || row.bytesDone === undefined) return null;
  return Math.max(0, (row.bytesTotal - row.bytesDone) / row.bytesPerSecond);
}

/** How far along the host is, 0–100: bytes while uploading, else the step it reached. */
export function progressPercent(row: ProvisionRow): number {
  if (row.phase === 'healthy' || row.phase === 'removed') return 100;
  const step = INSTALL_STEPS.indexOf(row.lastStep ?? row.phase);
  const upload = INSTALL_STEPS.indexOf('uploading');
  const share = 100 / (INSTALL_STEPS.length - 1);
  if (row.phase === 'uploading' && row.bytesTotal !== undefined && row.bytesTotal > 0 && row.bytesDone !== undefined) {
    return Math.min(100, share * upload + share * Math.min(1, row.bytesDone / row.bytesTotal));
  }
  return step < 0 ? 0 : share * step;
}
