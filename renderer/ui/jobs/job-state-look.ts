/** How each job state looks: an icon and a tone with its word, never colour alone. */
import { CircleCheck, CircleDashed, CircleStop, CircleX, Clock, LoaderCircle, Play, type LucideIcon } from 'lucide-react';
import type { JobState } from '../../../protocol/jobs.ts';
import type { StateTone } from '../common/StateLabel.tsx';

export interface JobStateLook {
  icon: LucideIcon;
  tone: StateTone;
  word: string;
  spinning: boolean;
}

export const jobStateLooks: Record<JobState, JobStateLook> = {
  pending: { icon: Clock, tone: 'queued', word: 'Pending', spinning: false },
  starting: { icon: LoaderCircle, tone: 'running', word: 'Starting', spinning: true },
  running: { icon: Play, tone: 'running', word: 'Running', spinning: false },
  stopping: { icon: LoaderCircle, tone: 'warning', word: 'Stopping', spinning: true },
  succeeded: { icon: CircleCheck, tone: 'healthy', word: 'Succeeded', spinning: false },
  failed: { icon: CircleX, tone: 'failed', word: 'Failed', spinning: false },
  stopped: { icon: CircleStop, tone: 'neutral', word: 'Stopped', spinning: false },
};

export const unknownLook: JobStateLook = { icon: CircleDashed, tone: 'neutral', word: 'Unknown', spinning: false };
