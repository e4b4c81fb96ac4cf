/**
 * "12 s ago" for something that has happened (submitted, started, ended), with the exact
 * time on hover. The shared clock ticks every few seconds, so an event newer than its last
 * tick reads "just now" rather than "in 3 s".
 */
import { formatExactTime, formatRelativeTime } from '../../format/time.ts';
import { useNow } from '../common/use-now.ts';

export function PastTime({ atMs }: { atMs: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(atMs).toISOString()} title={formatExactTime(atMs)}>
      {formatRelativeTime(atMs, Math.max(now, atMs))}
    </time>
  );
}
