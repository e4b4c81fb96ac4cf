/**
 * The status bar: which cluster, whether it is reachable (icon and word), and its capacity.
 * Items that do something are buttons; the rest are plain text with a tooltip.
 */
import { Bell, BellDot, Cpu, Gpu, LoaderCircle, Network, Server } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { formatCores } from '../../format/percent.ts';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectClusterSummary } from '../../store/cluster-slice.ts';
import { selectAppInfo, selectStatusConnection } from '../../store/connection-slice.ts';
import { selectUnreadNotices, selectUnreadProblem } from '../../store/notifications-slice.ts';
import { busyRows, selectProvisioning } from '../../store/provisioning-slice.ts';
import { isLogShowing } from '../../store/terminals-slice.ts';
import { panelShortcut } from '../../app/commands.ts';
import { formatShortcut } from '../../app/shortcuts.ts';
import { connectionLook } from '../common/connection-look.ts';
import { isMac } from '../common/platform.ts';
import { StateLabel } from '../common/StateLabel.tsx';
import { TransfersStatus } from '../datasets/TransfersStatus.tsx';
import { useSession } from '../session-context.ts';

export function StatusBar() {
  const summary = useAppState(useShallow(selectClusterSummary));
  const connection = useAppState(useShallow(selectStatusConnection));
  const info = useAppState(selectAppInfo);
  const unread = useAppState(selectUnreadNotices);
  const problem = useAppState(selectUnreadProblem);
  const logShowing = useAppState(isLogShowing);
  const provisioning = useAppState(selectProvisioning);
  const session = useSession();
  const look = connectionLook[connection.state];
  const loaded = summary.name !== null;
  const busy = busyRows(provisioning);
  const busyClusters = [...new Set(busy.map((r) => r.cluster))];

  return (
    <footer className="status-bar" aria-label="Status bar">
      <div className="status-group">
        <button
          type="button"
          className="status-item"
          title={loaded ? `Cluster ${summary.name}: show its hosts` : 'Show the cluster'}
          onClick={() => appStore.getState().showView('cluster')}
          data-testid="status-cluster"
        >
          <Network size={13} aria-hidden="true" />
          <span>{summary.name ?? 'Cluster'}</span>
        </button>
        {connection.state === 'version-mismatch' ? (
          <button
            type="button"
            className="status-item"
            aria-label={`Connection: the agent version differs from this desktop. ${connection.detail} Upgrade the agents.`}
            title={`${connection.detail} Click to upgrade the agents.`}
            onClick={() => void session.hostActions.upgrade()}
            data-testid="status-upgrade"
          >
            <StateLabel icon={look.icon} tone={look.tone} word="Agent version differs — upgrade" testId="status-connection" dataState={connection.state} />
          </button>
        ) : (
          <span className="status-item" role="status" aria-label={`Connection: ${connection.label}. ${connection.detail}`}>
            <StateLabel
              icon={look.icon}
              tone={look.tone}
              word={connection.label}
              spinning={look.spinning}
              title={connection.detail}
              testId="status-connection"
              dataState={connection.state}
            />
          </span>
        )}
        {loaded && (
          <>
            <span className="status-item num" data-testid="status-hosts" title={`${summary.hostsHealthy} of ${summary.hostsTotal} hosts healthy`}>
              <Server size={13} aria-hidden="true" />
              {summary.hostsHealthy}/{summary.hostsTotal} hosts healthy
            </span>
            <span className="status-item num" data-testid="status-gpus" title="GPUs in the cluster">
              <Gpu size={13} aria-hidden="true" />
              {summary.gpus} {summary.gpus === 1 ? 'GPU' : 'GPUs'}
            </span>
            <span className="status-item num" data-testid="status-cpu-cores" title="CPU cores in the cluster">
              <Cpu size={13} aria-hidden="true" />
              {formatCores(summary.cpuCores)}
            </span>
          </>
        )}
      </div>
      <div className="status-group">
        {busy.length > 0 && (
          <button
            type="button"
            className="status-item"
            data-testid="status-provisioning"
            title={busy.map((r) => `${r.target}: ${r.detail || r.phase}`).join('\n')}
            onClick={() => appStore.getState().showView('cluster')}
          >
            <LoaderCircle className="spin" size={13} aria-hidden="true" />
            <span className="num">
              {busyClusters.length === 1 ? `${busyClusters[0]}: ` : ''}
              {busy.length === 1 ? '1 host' : `${busy.length} hosts`} provisioning
            </span>
          </button>
        )}
        <TransfersStatus />
        {info && (
          <span className="status-item status-version" title={`Workspace ${info.workspaceDir}`}>
            Hopsdesk {info.version} · {info.mode}
          </span>
        )}
        <button
          type="button"
          className="status-item"
          data-testid="status-notifications"
          aria-pressed={logShowing}
          aria-label={unread > 0 ? `Notifications, ${unread} unread${problem ? ', including problems' : ''}` : 'Notifications'}
          title={`Toggle notifications (${formatShortcut(panelShortcut, isMac)})`}
          onClick={() => appStore.getState().toggleNotifications()}
        >
          {unread > 0 ? <BellDot size={13} aria-hidden="true" /> : <Bell size={13} aria-hidden="true" />}
          {unread > 0 && <span className="num" data-tone={problem ? 'failed' : undefined}>{unread}</span>}
        </button>
      </div>
    </footer>
  );
}
