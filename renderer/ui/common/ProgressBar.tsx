/** A bar for work under way, with what it is doing in words for assistive technology. */
export interface ProgressBarProps {
  /** 0–100. */
  percent: number;
  label: string;
  valueText: string;
  tone?: 'running' | 'failed' | 'healthy';
}

export function ProgressBar({ percent, label, valueText, tone = 'running' }: ProgressBarProps) {
  const clamped = Math.min(100, Math.max(0, percent));
  return (
    <div
      className="progress-track"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped)}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" data-tone={tone} style={{ width: `${clamped}%` }} />
    </div>
  );
}
