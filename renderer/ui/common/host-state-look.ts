/** How each host state looks: an icon and a tone to go with its word, never colour alone. */
import { CircleArrowUp, CircleCheck, CircleDashed, CircleMinus, CircleX, LoaderCircle, Unplug, type LucideIcon } from 'lucide-react';
import type { HostRowState } from '../../store/host-rows.ts';
import type { StateTone } from './StateLabel.tsx';

export interface HostStateLook {
  icon: LucideIcon;
  tone: StateTone;
  word: string;
  spinning: boolean;
}

const looks: Record<HostRowState, HostStateLook> = {
  provisioning: { icon: LoaderCircle, tone: 'running', word: 'Provisioning', spinning: true },
  healthy: { icon: CircleCheck, tone: 'healthy', word: 'Healthy', spinning: false },
  unreachable: { icon: Unplug, tone: 'failed', word: 'Unreachable', spinning: false },
  draining: { icon: CircleMinus, tone: 'warning', word: 'Draining', spinning: false },
  removing: { icon: LoaderCircle, tone: 'warning', word: 'Removing', spinning: true },
  failed: { icon: CircleX, tone: 'failed', word: 'Failed', spinning: false },
  'version-mismatch': { icon: CircleArrowUp, tone: 'warning', word: 'Version differs', spinning: false },
  unknown: { icon: CircleDashed, tone: 'neutral', word: 'Unknown', spinning: false },
};

/** The look of `state`; an unknown state is named by the word the agent reported. */
export function hostStateLook(state: HostRowState, reported?: string | null): HostStateLook {
  const look = looks[state];
  if (state === 'unknown' && reported) return { ...look, word: reported.charAt(0).toUpperCase() + reported.slice(1) };
  return look;
}
