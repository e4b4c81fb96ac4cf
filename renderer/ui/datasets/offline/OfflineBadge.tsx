/** Marks data read from an offline copy: "Offline copy · 3 h ago", the exact time on hover. */
import { CloudOff } from 'lucide-react';
import { RelativeTime } from '../../common/RelativeTime.tsx';
import './offline.css';

export interface OfflineBadgeProps {
  copiedAtMs: number;
  /** The copy kept only the first N rows of each table. */
  sampleRows?: number | null;
}

export function OfflineBadge({ copiedAtMs, sampleRows }: OfflineBadgeProps) {
  return (
    <span className="offline-badge" data-testid="offline-badge" role="status">
      <CloudOff size={12} aria-hidden="true" />
      <span>Offline copy</span>
      {sampleRows != null && <span>· first {sampleRows.toLocaleString('en-US')} rows</span>}
      <span>
        · <RelativeTime atMs={copiedAtMs} />
      </span>
    </span>
  );
}
