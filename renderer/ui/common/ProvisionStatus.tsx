/**
 * Where one host's provisioning stands: the step in words, the provisioner's own detail, a
 * bar (bytes, rate and time left while uploading), and on failure what happened and what to do.
 */
import { formatBytes } from '../../format/bytes.ts';
import { INSTALL_STEPS, progressPercent, uploadSecondsLeft, type ProvisionRow } from '../../store/provision-progress.ts';
import { ProgressBar } from './ProgressBar.tsx';

const phaseWords: Record<string, string> = {
  connecting: 'Connecting',
  checking: 'Checking the host',
  uploading: 'Uploading the agent',
  installing: 'Installing',
  starting: 'Starting the agent',
  joining: 'Joining the cluster',
  healthy: 'Healthy',
  draining: 'Draining',
  removing: 'Removing',
  removed: 'Removed',
  failed: 'Failed',
};

/** "Uploading the agent"; a phase newer than this renderer reads as itself. */
export function phaseWord(phase: string): string {
  return phaseWords[phase] ?? phase;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** "12.0 / 41.0 MiB · 3.1 MiB/s · 9 s left" while uploading; null otherwise. */
export function transferText(row: ProvisionRow): string | null {
  if (row.bytesTotal === undefined || row.bytesDone === undefined) return null;
  const parts = [`${formatBytes(row.bytesDone)} / ${formatBytes(row.bytesTotal)}`];
  if (row.phase === 'uploading' && row.bytesPerSecond !== undefined) parts.push(`${formatBytes(row.bytesPerSecond)}/s`);
  const left = row.phase === 'uploading' ? uploadSecondsLeft(row) : null;
  if (left !== null) parts.push(`${formatDuration(left)} left`);
  return parts.join(' · ');
}

export interface ProvisionStatusProps {
  row: ProvisionRow;
  /** The host, for the bar's accessible name. */
  label: string;
  /** One line for a table cell: the detail and step move to the tooltip. */
  compact?: boolean;
}

export function ProvisionStatus({ row, label, compact = false }: ProvisionStatusProps) {
  const step = INSTALL_STEPS.indexOf(row.lastStep ?? row.phase);
  const transfer = transferText(row);
  const failed = row.phase === 'failed';
  const stepText = step >= 0 && !failed && row.phase !== 'healthy' ? `step ${step + 1} of ${INSTALL_STEPS.length}` : null;
  return (
    <div className="provision-status" data-phase={row.phase} data-compact={compact || undefined} title={compact ? [row.detail, stepText].filter(Boolean).join(' · ') || undefined : undefined}>
      <ProgressBar
        percent={progressPercent(row)}
        label={`${label}: ${phaseWord(row.phase)}`}
        valueText={[phaseWord(row.phase), transfer, stepText].filter(Boolean).join(', ')}
        tone={failed ? 'failed' : row.phase === 'healthy' ? 'healthy' : 'running'}
      />
      <div className="provision-text">
        <span className="provision-phase">{phaseWord(row.phase)}</span>
        {!compact && row.detail && <span className="provision-detail">{row.detail}</span>}
        {transfer && <span className="provision-bytes num">{transfer}</span>}
        {!compact && stepText && <span className="provision-step num">{stepText}</span>}
      </div>
      {row.error && (
        <div className="provision-error" role="alert">
          <span className="provision-error-message">{row.error.message}</span>
          <span className="provision-error-hint">{row.error.hint}</span>
        </div>
      )}
    </div>
  );
}
