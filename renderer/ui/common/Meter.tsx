/** A horizontal bar for a share of a whole, with its numbers beside it in words. */
import { formatPercent } from '../../format/percent.ts';

export interface MeterProps {
  label: string;
  /** 0–100, or null when unknown (the bar stays empty and the value says "—"). */
  percent: number | null;
  /** What the numbers are, e.g. "12.1 / 23.4 GiB"; defaults to the percentage. */
  valueText?: string;
  testId?: string;
  /** Lets a row place the meter in its grid. */
  className?: string;
}

/** Over 90% is a warning, stated by the number itself; the tone only echoes it. */
const toneOf = (percent: number | null) => (percent !== null && percent >= 90 ? 'high' : 'normal');

export function Meter({ label, percent, valueText, testId, className }: MeterProps) {
  const shown = valueText ?? formatPercent(percent);
  return (
    <div className={className ? `meter ${className}` : 'meter'} data-testid={testId}>
      <span className="meter-label">{label}</span>
      <div
        className="meter-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? undefined : Math.round(percent)}
        aria-valuetext={percent === null ? 'unknown' : `${formatPercent(percent)}${valueText ? `, ${valueText}` : ''}`}
      >
        <div className="meter-fill" data-tone={toneOf(percent)} style={{ width: `${percent ?? 0}%` }} />
      </div>
      <span className="meter-value num">{shown}</span>
    </div>
  );
}
