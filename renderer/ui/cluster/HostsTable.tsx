/**
 * Every host of the active cluster in one dense table: where it is, what it does, its state
 * (live while provisioning), its GPUs, labels and agent version, with the actions a host
 * takes: open a terminal, upgrade the agent, remove the host (after a confirmation).
 */
import { ArrowDown, ArrowUp, ArrowUpFromLine, Plus, SquareTerminal, Tag, Trash } from 'lucide-react';
import { useMemo, useState } from 'react';
import { appStore, useAppState } from '../../store/app-store.ts';
import { selectHosts } from '../../store/cluster-slice.ts';
import { selectActiveClusterName, selectProvisioned } from '../../store/clusters-slice.ts';
import { selectAppInfo } from '../../store/connection-slice.ts';
import { hostRowsOf, sortHostRows, type HostRow, type HostSort, type HostSortKey } from '../../store/host-rows.ts';
import { rowsOfCluster } from '../../store/provision-progress.ts';
import { selectProvisioning } from '../../store/provisioning-slice.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { AddHostDialog } from './AddHostDialog.tsx';
import { hostStateLook } from '../common/host-state-look.ts';
import { ProvisionStatus } from '../common/ProvisionStatus.tsx';
import { StateLabel } from '../common/StateLabel.tsx';
import { useSession } from '../session-context.ts';

const columns: ReadonlyArray<{ title: string; sort?: HostSortKey; className?: string }> = [
  { title: 'Host', sort: 'name' },
  { title: 'Address' },
  { title: 'Roles' },
  { title: 'State', sort: 'state' },
  { title: 'GPUs', sort: 'gpus', className: 'col-num' },
  { title: 'Labels' },
  { title: 'Agent', sort: 'agent' },
  { title: 'Actions', className: 'col-actions' },
];

export function HostsTable() {
  const session = useSession();
  const hosts = useAppState(selectHosts);
  const provisioned = useAppState(selectProvisioned);
  const provisioning = useAppState(selectProvisioning);
  const cluster = useAppState(selectActiveClusterName);
  const appVersion = useAppState(selectAppInfo)?.version ?? null;
  // Terminals, upgrades and removals go over SSH; the local cluster is this machine.
  const ssh = useAppState((s) => s.status?.kind === 'ssh');
  const [sort, setSort] = useState<HostSort | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<HostRow | null>(null);
  const [adding, setAdding] = useState(false);
  const [confirmUninstall, setConfirmUninstall] = useState(false);
  // A cluster joined by invite lists no provisioned hosts: its member manages none.
  const member = provisioned.length === 0;
  /** Hosts with an upgrade or removal in flight, so their buttons do not start a second one. */
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  const rows = useMemo(() => {
    const all = hostRowsOf({ hosts, provisioned, progress: cluster === null ? [] : rowsOfCluster(provisioning, cluster), appVersion });
    return sort === null ? all : sortHostRows(all, sort);
  }, [hosts, provisioned, provisioning, cluster, appVersion, sort]);

  const mismatched = rows.filter((r) => r.state === 'version-mismatch').length;

  const track = async (hostId: string, work: () => Promise<void>) => {
    setBusy((b) => new Set(b).add(hostId));
    try {
      await work();
    } finally {
      setBusy((b) => {
        const next = new Set(b);
        next.delete(hostId);
        return next;
      });
    }
  };
  const upgrade = (hostId: string) => void track(hostId, () => session.hostActions.upgrade(hostId));
  const remove = (row: HostRow) => {
    setConfirmRemove(null);
    if (row.hostId !== null) void track(row.hostId, () => session.hostActions.remove(row.hostId!));
  };

  const toggleSort = (key: HostSortKey) =>
    setSort((s) => (s?.key !== key ? { key, descending: false } : s.descending ? null : { key, descending: true }));

  return (
    <section className="hosts-section" aria-labelledby="hosts-table-title">
      <header className="section-header">
        <h2 id="hosts-table-title">
          Hosts <span className="count num">{rows.length}</span>
        </h2>
        {ssh && !member && (
          <button type="button" className="button" onClick={() => setAdding(true)} data-testid="add-host">
            <Plus size={14} aria-hidden="true" /> Add host
          </button>
        )}
        {adding && <AddHostDialog onClose={() => setAdding(false)} />}
        {ssh && !member && (
          <button type="button" className="button" onClick={() => setConfirmUninstall(true)} data-testid="uninstall-cluster">
            <Trash size={14} aria-hidden="true" /> Uninstall cluster…
          </button>
        )}
        {confirmUninstall && (
          <ConfirmDialog
            title={`Uninstall cluster ${cluster ?? ''}?`}
            confirmLabel="Uninstall"
            danger
            onConfirm={() => {
              setConfirmUninstall(false);
              void session.hostActions.uninstall();
            }}
            onCancel={() => setConfirmUninstall(false)}
          >
            <p>
              This stops every agent of <strong>{cluster}</strong> and deletes what Hopsdesk installed on its {rows.length} hosts,
              the cluster's data included. It cannot be undone.
            </p>
          </ConfirmDialog>
        )}
        {mismatched > 0 && ssh && (
          <button type="button" className="button" onClick={() => void session.hostActions.upgrade()} data-testid="upgrade-all">
            <ArrowUpFromLine size={14} aria-hidden="true" /> Upgrade {mismatched === 1 ? '1 agent' : `${mismatched} agents`} to {appVersion}
          </button>
        )}
      </header>
      <div className="table-scroll">
        <table className="data-table hosts-table" data-testid="hosts-table">
          <thead>
            <tr>
              {columns.map((column) => {
                const sorted = sort !== null && column.sort === sort.key;
                return (
                  <th
                    key={column.title}
                    scope="col"
                    className={column.className}
                    aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : undefined}
                  >
                    {column.sort === undefined ? (
                      column.className === 'col-actions' ? <span className="visually-hidden">{column.title}</span> : column.title
                    ) : (
                      <button type="button" className="sort-button" onClick={() => toggleSort(column.sort!)}>
                        {column.title}
                        {sorted && (sort.descending ? <ArrowDown size={12} aria-hidden="true" /> : <ArrowUp size={12} aria-hidden="true" />)}
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="table-empty">
                  No hosts yet.
                </td>
              </tr>
            ) : (
              rows.map((row) => (
                <HostTableRow
                  key={row.key}
                  row={row}
                  appVersion={appVersion}
                  ssh={ssh}
                  busy={row.hostId !== null && busy.has(row.hostId)}
                  onOpenTerminal={() => row.hostId !== null && void session.terminals.open(row.hostId)}
                  onUpgrade={() => row.hostId !== null && upgrade(row.hostId)}
                  onRemove={() => setConfirmRemove(row)}
                  onFocusCard={() => row.hostId !== null && appStore.getState().focusHost(row.hostId)}
                />
              ))
            )}
          </tbody>
        </table>
      </div>
      {confirmRemove !== null && (
        <ConfirmDialog
          title={`Remove ${confirmRemove.name}?`}
          confirmLabel={`Remove ${confirmRemove.name}`}
          danger
          onConfirm={() => remove(confirmRemove)}
          onCancel={() => setConfirmRemove(null)}
        >
          <p>
            This drains <strong>{confirmRemove.name}</strong> ({confirmRemove.address}), stops its agent and removes what Hopsdesk
            installed on it. It leaves cluster {cluster}.
          </p>
          <p className="confirm-note">Work running on the host is stopped. Its own files outside Hopsdesk stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface HostTableRowProps {
  row: HostRow;
  appVersion: string | null;
  ssh: boolean;
  busy: boolean;
  onOpenTerminal(): void;
  onUpgrade(): void;
  onRemove(): void;
  onFocusCard(): void;
}

const LOCAL_ONLY = 'This is the local cluster, on this machine: terminals, upgrades and removals are for hosts of SSH clusters.';

function HostTableRow({ row, appVersion, ssh, busy, onOpenTerminal, onUpgrade, onRemove, onFocusCard }: HostTableRowProps) {
  const look = hostStateLook(row.state, row.reportedState);
  const working = row.state === 'provisioning' || row.state === 'removing' || row.state === 'draining' || busy;
  const isHead = row.roles.includes('head');
  const gpuText = row.gpus.map((g) => `${g.count} × ${g.model}`).join(', ');
  return (
    <tr data-testid="host-row" data-host-id={row.hostId ?? ''} data-target={row.address} data-state={row.state}>
      <th scope="row" className="host-cell">
        {row.registered ? (
          <button type="button" className="link-button" onClick={onFocusCard} title="Show the host's card">
            {row.name}
          </button>
        ) : (
          <span>{row.name}</span>
        )}
      </th>
      <td className="mono address-cell" title={row.address}>
        {row.address}
      </td>
      <td>
        <span className="role-badges">
          {row.roles.map((role) => (
            <span key={role} className="badge" data-role={role}>
              {role}
            </span>
          ))}
        </span>
      </td>
      <td className="state-cell">
        <StateLabel icon={look.icon} tone={look.tone} word={look.word} spinning={look.spinning} testId="host-row-state" dataState={row.state} />
        {row.state === 'version-mismatch' && ssh && (
          <button type="button" className="button button-small" onClick={onUpgrade} disabled={busy}>
            Upgrade
          </button>
        )}
        {row.progress !== null && (working || row.state === 'failed') && <ProvisionStatus row={row.progress} label={row.name} compact />}
      </td>
      <td className="col-num num gpus-cell" data-testid="host-row-gpus" data-count={row.gpuCount} title={gpuText || undefined}>
        {row.gpuCount === 0 ? <span className="muted">—</span> : gpuText}
      </td>
      <td className="labels-cell" data-testid="host-row-labels">
        {row.labels.length > 0 && (
          <ul className="chips" aria-label="Labels">
            {row.labels.map((label) => (
              <li key={label} className="chip">
                <Tag size={10} aria-hidden="true" />
                {label}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="mono" title={row.state === 'version-mismatch' && appVersion ? `This desktop is ${appVersion}` : undefined}>
        {row.agentVersion ?? '—'}
      </td>
      <td className="col-actions">
        <div className="row-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`Open terminal on ${row.name}`}
            title={ssh ? 'Open terminal' : LOCAL_ONLY}
            data-testid="host-open-terminal"
            disabled={row.hostId === null || !ssh}
            onClick={onOpenTerminal}
          >
            <SquareTerminal size={14} aria-hidden="true" />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Upgrade the agent on ${row.name}`}
            title={!ssh ? LOCAL_ONLY : appVersion ? `Upgrade the agent to ${appVersion}` : 'Upgrade the agent'}
            data-testid="host-upgrade"
            disabled={row.hostId === null || working || !ssh}
            onClick={onUpgrade}
          >
            <ArrowUpFromLine size={14} aria-hidden="true" />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove ${row.name}`}
            title={!ssh ? LOCAL_ONLY : isHead ? 'The head cannot be removed; uninstall the cluster instead' : 'Remove the host'}
            data-testid="host-remove"
            disabled={row.hostId === null || working || isHead || !ssh}
            onClick={onRemove}
          >
            <Trash size={14} aria-hidden="true" />
          </button>
        </div>
      </td>
    </tr>
  );
}
