/**
 * The transfers drawer under the file list: a row per file with its progress bar, bytes,
 * rate, time left and state, Cancel while it runs, and the cause of a failure with what to
 * do and, for an upload this window started, Retry. Folded, its header still says how
 * many are moving.
 */
import { ArrowDownToLine, ArrowUpFromLine, ChevronDown, ChevronUp, CircleCheck, CircleX, ListX, LoaderCircle, RotateCw, X } from 'lucide-react';
import { formatBytes } from '../../format/bytes.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectTransfers, selectTransfersOpen } from '../../store/datasets-slice.ts';
import { isFinal, percentOf, secondsLeft, transfersSummary, transfersToDraw, type TransferRow } from '../../store/datasets-transfers.ts';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { StateLabel, type StateTone } from '../common/StateLabel.tsx';
import { useSession } from '../session-context.ts';

const stateLooks: Record<TransferRow['state'], { tone: StateTone; word: string; icon: typeof CircleCheck; spinning?: boolean }> = {
  queued: { tone: 'queued', word: 'Queued', icon: LoaderCircle },
  running: { tone: 'running', word: 'Sending', icon: LoaderCircle, spinning: true },
  retrying: { tone: 'warning', word: 'Resuming', icon: RotateCw, spinning: true },
  done: { tone: 'healthy', word: 'Done', icon: CircleCheck },
  failed: { tone: 'failed', word: 'Failed', icon: CircleX },
  cancelled: { tone: 'neutral', word: 'Cancelled', icon: X },
};

function timeLeft(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  return `${Math.ceil(seconds / 60)} min left`;
}

export function TransfersDrawer() {
  const session = useSession();
  const rows = useAppState(selectTransfers);
  const open = useAppState(selectTransfersOpen);
  if (rows.length === 0) return null;
  const summary = transfersSummary(rows);
  const shown = transfersToDraw(rows);
  const words = [
    summary.active > 0 ? `${summary.active} moving, ${formatBytes(summary.bytesDone)} of ${formatBytes(summary.bytesTotal)}` : '',
    summary.done > 0 ? `${summary.done} done` : '',
    summary.failed > 0 ? `${summary.failed} failed` : '',
  ].filter(Boolean);

  return (
    <section className="transfers" aria-label="Transfers" data-testid="transfers">
      <header className="transfers-header">
        <button
          type="button"
          className="transfers-toggle"
          aria-expanded={open}
          aria-controls="transfers-body"
          onClick={() => appStore.getState().transfersOpened(!open)}
          data-testid="transfers-toggle"
        >
          {open ? <ChevronDown size={14} aria-hidden="true" /> : <ChevronUp size={14} aria-hidden="true" />}
          <span className="transfers-title">Transfers</span>
          <span className="muted num" data-testid="transfers-summary">
            {words.join(' · ')}
          </span>
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="Clear finished transfers"
          title="Clear finished transfers"
          disabled={summary.active === rows.length}
          onClick={() => appStore.getState().transfersCleared()}
        >
          <ListX size={14} aria-hidden="true" />
        </button>
      </header>
      {open && (
        <ul id="transfers-body" className="transfers-body" aria-label="Transfers">
          {shown.map((row) => {
            const look = stateLooks[row.state];
            const Direction = row.direction === 'upload' ? ArrowUpFromLine : ArrowDownToLine;
            const bytes = row.bytesTotal === null ? formatBytes(row.bytesDone) : `${formatBytes(row.bytesDone)} of ${formatBytes(row.bytesTotal)}`;
            return (
              <li key={row.key} className="transfer-row" data-testid="transfer-row" data-state={row.state} data-path={row.path} data-direction={row.direction}>
                <Direction size={14} aria-label={row.direction === 'upload' ? 'Upload' : 'Download'} />
                <span className="transfer-label mono" title={row.path}>
                  {row.label}
                </span>
                <span className="transfer-bar">
                  <ProgressBar
                    percent={percentOf(row)}
                    label={`${row.direction === 'upload' ? 'Upload' : 'Download'} of ${row.label}`}
                    valueText={bytes}
                    tone={row.state === 'failed' ? 'failed' : row.state === 'done' ? 'healthy' : 'running'}
                  />
                </span>
                <span className="transfer-bytes num">{bytes}</span>
                <span className="transfer-rate num">{row.state === 'running' && row.rate > 0 ? `${formatBytes(row.rate)}/s ${timeLeft(secondsLeft(row))}` : ''}</span>
                <StateLabel icon={look.icon} tone={look.tone} word={look.word} spinning={look.spinning} dataState={row.state} title={titleOf(row)} />
                {!isFinal(row.state) ? (
                  <button type="button" className="button button-small" onClick={() => session.uploads.cancel(row.key)} aria-label={`Cancel ${row.direction} of ${row.label}`}>
                    Cancel
                  </button>
                ) : row.state === 'failed' && row.direction === 'upload' && session.uploads.canRetry(row.key) ? (
                  <button type="button" className="button button-small" onClick={() => session.uploads.retry(row.key)} aria-label={`Retry upload of ${row.label}`} title="Send the same file again">
                    Retry
                  </button>
                ) : (
                  <span className="transfer-action-space" />
                )}
                {row.problem !== null && (
                  <p className="transfer-problem" role="alert">
                    {row.problem.message} <span className="muted">{row.problem.hint}</span>
                  </p>
                )}
              </li>
            );
          })}
          {shown.length < rows.length && (
            <li className="transfer-more muted">
              {rows.length - shown.length} more finished transfer{rows.length - shown.length === 1 ? '' : 's'} not shown; Clear removes finished ones.
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

/** The state label's tooltip: a failure's cause and next step, or why a transfer is resuming. */
function titleOf(row: TransferRow): string | undefined {
  if (row.problem) return `${row.problem.message} ${row.problem.hint}`;
  if (row.state === 'retrying' && row.interruption !== null) return `Interrupted: ${row.interruption} It resumes by itself once the cluster answers again.`;
  return undefined;
}
