/**
 * A followed job log in the renderer: the lines of stdout and stderr as they stream in, and
 * the arithmetic of the log view (which line is at the bottom, where a search hit scrolls to).
 *
 * Lines are appended to the arrays in place and `version` counts the appends: a log reaches
 * hundreds of thousands of lines, and copying them on every batch would make following a
 * chatty job cost more than drawing it. Only this module writes the arrays.
 */
import type { Job, JobLogStream } from '../../protocol/jobs-api.ts';

/** Lines kept per stream; beyond, the oldest go (the whole log stays in the project's files). */
export const MAX_LOG_LINES = 500_000;
/** Height of one log row in px; the log view draws every row this tall. */
export const LOG_ROW_HEIGHT = 18;
/** Rows drawn above and below the viewport, so a fast scroll shows no blank band. */
export const LOG_OVERSCAN = 20;
/** A scroll position within this many px of the end counts as "at the bottom". */
export const BOTTOM_SLACK_PX = LOG_ROW_HEIGHT;

export interface JobLog {
  jobId: string;
  followId: string | null;
  lines: Record<JobLogStream, string[]>;
  /** Oldest lines dropped past `MAX_LOG_LINES`. */
  dropped: Record<JobLogStream, number>;
  /** Bumped on every append, so views re-read the arrays. */
  version: number;
  phase: 'following' | 'ended' | 'error';
  error: string | null;
  /** The job as it ended, from the end of the stream. */
  endJob: Job | null;
}

export function logStarted(jobId: string): JobLog {
  return {
    jobId,
    followId: null,
    lines: { stdout: [], stderr: [] },
    dropped: { stdout: 0, stderr: 0 },
    version: 0,
    phase: 'following',
    error: null,
    endJob: null,
  };
}

export function linesAppended(log: JobLog, stream: JobLogStream, lines: readonly string[]): JobLog {
  const kept = log.lines[stream];
  for (const line of lines) kept.push(line);
  const over = kept.length - MAX_LOG_LINES;
  const dropped = { ...log.dropped };
  if (over > 0) {
    kept.splice(0, over);
    dropped[stream] += over;
  }
  return { ...log, dropped, version: log.version + 1 };
}

export function logEnded(log: JobLog, end: { job?: Job; error?: string }): JobLog {
  if (end.error !== undefined) return { ...log, phase: 'error', error: end.error, endJob: end.job ?? null };
  return { ...log, phase: 'ended', endJob: end.job ?? null };
}

/** Whether a scroller showing `viewportPx` of `contentPx` from `scrollTopPx` shows the last row. */
export function isAtBottom(scrollTopPx: number, viewportPx: number, contentPx: number): boolean {
  return scrollTopPx + viewportPx >= contentPx - BOTTOM_SLACK_PX;
}

/** What happened to the log view, for the follow toggle. */
export type FollowEvent =
  | { kind: 'scrolled'; scrollTopPx: number; viewportPx: number; contentPx: number }
  | { kind: 'toggled' }
  | { kind: 'jumped' };

/**
 * Following keeps the view at the end while the user stays at the bottom: scrolling up
 * stops it, scrolling back down (or the toggle) starts it again, and jumping to a search
 * hit stops it so the hit stays in view.
 */
export function followAfter(following: boolean, event: FollowEvent): boolean {
  if (event.kind === 'toggled') return !following;
  if (event.kind === 'jumped') return false;
  return isAtBottom(event.scrollTopPx, event.viewportPx, event.contentPx);
}

/** Where the view scrolls when lines arrive: to the end while following, else it stays. */
export function scrollTopAfterAppend(following: boolean, scrollTopPx: number, viewportPx: number, contentPx: number): number {
  return following ? Math.max(0, contentPx - viewportPx) : scrollTopPx;
}

/** Indexes of the lines containing `query` (case-insensitive), at most `limit` of them. */
export function searchLines(lines: readonly string[], query: string, limit = 10_000): { hits: number[]; truncated: boolean } {
  const needle = query.toLowerCase();
  const hits: number[] = [];
  if (needle === '') return { hits, truncated: false };
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i]!.toLowerCase().includes(needle)) {
      if (hits.length === limit) return { hits, truncated: true };
      hits.push(i);
    }
  }
  return { hits, truncated: false };
}

/** The hit after (`+1`) or before (`-1`) hit number `current`, wrapping round. */
export function nextHit(count: number, current: number, direction: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return direction === 1 ? 0 : count - 1;
  return (current + direction + count) % count;
}
