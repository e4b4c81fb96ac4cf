/** A job's state as icon and word, with `data-state` for tests and styles. */
import type { JobState } from '../../../protocol/jobs.ts';
import { StateLabel } from '../common/StateLabel.tsx';
import { jobStateLooks, unknownLook } from './job-state-look.ts';

export function JobStateBadge({ state, title }: { state: JobState; title?: string }) {
  const look = jobStateLooks[state] ?? unknownLook;
  return <StateLabel icon={look.icon} tone={look.tone} word={look.word} spinning={look.spinning} title={title} testId="job-state" dataState={state} />;
}
