/** How each status-bar connection state looks: an icon and a tone to go with its word. */
import { CircleArrowUp, CircleX, Laptop, LoaderCircle, PlugZap, RefreshCw, WifiOff, type LucideIcon } from 'lucide-react';
import type { StatusConnectionState } from '../../store/connection-slice.ts';
import type { StateTone } from './StateLabel.tsx';

export const connectionLook: Record<StatusConnectionState, { icon: LucideIcon; tone: StateTone; spinning: boolean }> = {
  starting: { icon: LoaderCircle, tone: 'queued', spinning: true },
  local: { icon: Laptop, tone: 'healthy', spinning: false },
  connected: { icon: PlugZap, tone: 'healthy', spinning: false },
  reconnecting: { icon: RefreshCw, tone: 'warning', spinning: true },
  offline: { icon: WifiOff, tone: 'warning', spinning: false },
  error: { icon: CircleX, tone: 'failed', spinning: false },
  'version-mismatch': { icon: CircleArrowUp, tone: 'warning', spinning: false },
};
