/** "12 s ago" that keeps itself current, with the exact time on hover. */
import { formatExactTime, formatRelativeTime } from '../../format/time.ts';
import { useNow } from './use-now.ts';

export function RelativeTime({ atMs }: { atMs: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(atMs).toISOString()} title={formatExactTime(atMs)}>
      {formatRelativeTime(atMs, now)}
    </time>
  );
}
