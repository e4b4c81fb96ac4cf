/**
 * A state shown as icon plus word, tinted with its meaning. Colour is never the only signal:
 * the word is always there and the icon shape differs per state.
 */
import type { LucideIcon } from 'lucide-react';

export type StateTone = 'healthy' | 'warning' | 'failed' | 'running' | 'queued' | 'neutral';

export interface StateLabelProps {
  icon: LucideIcon;
  tone: StateTone;
  word: string;
  /** Spin the icon while something is in progress (reduced motion turns it off). */
  spinning?: boolean;
  title?: string;
  testId?: string;
  dataState?: string;
}

export function StateLabel({ icon: Icon, tone, word, spinning, title, testId, dataState }: StateLabelProps) {
  return (
    <span className="state-label" data-tone={tone} title={title} data-testid={testId} data-state={dataState}>
      <Icon className={spinning ? 'icon spin' : 'icon'} size={14} aria-hidden="true" />
      <span>{word}</span>
    </span>
  );
}
