/**
 * The status bar's word on transfers while files move: how many, bytes and percent; a
 * click shows them in the Datasets section's drawer.
 */
import { ArrowUpDown } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../../format/bytes.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { transfersSummary } from '../../store/datasets-transfers.ts';

export function TransfersStatus() {
  const summary = useAppState(useShallow((s) => transfersSummary(s.transfers)));
  if (summary.active === 0) return null;
  const percent = summary.bytesTotal > 0 ? Math.floor((summary.bytesDone / summary.bytesTotal) * 100) : 0;
  return (
    <button
      type="button"
      className="status-item"
      data-testid="status-transfers"
      title={`${formatBytes(summary.bytesDone)} of ${formatBytes(summary.bytesTotal)}: show the transfers`}
      onClick={() => {
        appStore.getState().showView('datasets');
        appStore.getState().transfersOpened(true);
      }}
    >
      <ArrowUpDown size={13} aria-hidden="true" />
      <span className="num">
        {summary.active === 1 ? '1 transfer' : `${summary.active} transfers`} · {percent}%
      </span>
    </button>
  );
}
