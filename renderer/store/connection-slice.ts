/**
 * Two links decide what the status bar says: this window's link to the desktop core (the
 * web socket in web mode; IPC never drops) and the core's link to the cluster.
 */
import type { AppInfo, Connection } from '../../protocol/desktop-api.ts';
import type { AppState, SliceCreator } from './app-state.ts';

export type TransportState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionSlice {
  transport: TransportState;
  clusterConnection: Connection | null;
  /** Version and mode of the core at the other end, for the status bar. */
  appInfo: AppInfo | null;
  transportChanged(state: TransportState): void;
  clusterConnectionChanged(connection: Connection): void;
  appInfoLoaded(info: AppInfo): void;
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set) => ({
  transport: 'connecting',
  clusterConnection: null,
  appInfo: null,
  transportChanged: (transport) => set({ transport }),
  clusterConnectionChanged: (clusterConnection) => set({ clusterConnection }),
  appInfoLoaded: (appInfo) => set({ appInfo }),
});

/** What the status bar shows; always spelled out next to its icon, never colour alone. */
export type StatusConnectionState = 'starting' | 'local' | 'connected' | 'reconnecting' | 'offline' | 'error' | 'version-mismatch';

export interface StatusConnection {
  state: StatusConnectionState;
  /** One word for the status bar. */
  label: string;
  /** A sentence for the tooltip. */
  detail: string;
}

const labels: Record<StatusConnectionState, string> = {
  starting: 'Starting',
  local: 'Local',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  error: 'Error',
  'version-mismatch': 'Agent version differs',
};

const status = (state: StatusConnectionState, detail: string): StatusConnection => ({ state, label: labels[state], detail });

/** Derived object: read it with `useShallow`. */
export const selectStatusConnection = (s: AppState): StatusConnection => {
  if (s.transport === 'reconnecting') return status('reconnecting', 'Lost the link to the Hopsdesk core; reconnecting.');
  const c = s.clusterConnection;
  if (c === null) {
    if (s.loadPhase === 'error') return status('error', s.loadProblem?.message ?? 'The cluster could not be loaded.');
    return status('starting', 'Connecting to the cluster.');
  }
  switch (c.state) {
    case 'connected':
      return status(s.status?.kind === 'ssh' ? 'connected' : 'local', c.detail);
    case 'starting':
      return status('starting', c.detail);
    case 'reconnecting':
      return status('reconnecting', c.detail);
    case 'offline':
      return status('offline', c.detail);
    case 'error':
      return status('error', c.detail);
    case 'version-mismatch':
      return status('version-mismatch', c.detail || 'The agent speaks another version than this desktop; upgrade it.');
  }
};

export const selectAppInfo = (s: AppState): AppInfo | null => s.appInfo;
