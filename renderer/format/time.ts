/** Relative times for scanning ("12 s ago") with the exact time kept for the hover title. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "12 s ago", "3 min ago", "5 h ago", "2 d ago"; "in 3 min" for a future time. */
export function formatRelativeTime(atMs: number, nowMs: number): string {
  if (!Number.isFinite(atMs) || atMs <= 0) return 'never';
  const delta = nowMs - atMs;
  const distance = Math.abs(delta);
  // Clocks of hosts and laptop drift by a few seconds; do not show "in 2 s" for that.
  if (distance < 5 * SECOND) return 'just now';
  let text: string;
  if (distance < MINUTE) text = `${Math.floor(distance / SECOND)} s`;
  else if (distance < HOUR) text = `${Math.floor(distance / MINUTE)} min`;
  else if (distance < DAY) text = `${Math.floor(distance / HOUR)} h`;
  else text = `${Math.floor(distance / DAY)} d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2025-11-23 20:33:07" in local time: sortable, unambiguous, no locale surprises. */
export function formatExactTime(atMs: number): string {
  if (!Number.isFinite(atMs) || atMs <= 0) return 'never';
  const d = new Date(atMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "20:33:07" for log lines of today's session. */
export function formatClockTime(atMs: number): string {
  const d = new Date(atMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
