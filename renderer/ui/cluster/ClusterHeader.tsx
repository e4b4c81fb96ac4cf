/** The cluster's name, kind and connection, with its capacity in a row of figures. */
import { ArrowUpFromLine } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../../format/bytes.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectClusterSummary } from '../../store/cluster-slice.ts';
import { selectStatusConnection } from '../../store/connection-slice.ts';
import { connectionLook } from '../common/connection-look.ts';
import { StateLabel } from '../common/StateLabel.tsx';
import { useSession } from '../session-context.ts';

export function ClusterHeader() {
  const summary = useAppState(useShallow(selectClusterSummary));
  const connection = useAppState(useShallow(selectStatusConnection));
  const look = connectionLook[connection.state];
  const session = useSession();
  const figures: Array<{ label: string; value: string; testId: string }> = [
    { label: 'Hosts healthy', value: `${summary.hostsHealthy} / ${summary.hostsTotal}`, testId: 'summary-hosts' },
    { label: 'GPUs', value: String(summary.gpus), testId: 'summary-gpus' },
    { label: 'CPU cores', value: String(summary.cpuCores), testId: 'summary-cpu-cores' },
    { label: 'Memory', value: formatBytes(summary.memoryTotalBytes), testId: 'summary-memory' },
  ];
  return (
    <header className="cluster-header" data-testid="cluster-summary">
      <div className="cluster-title">
        <h1>{summary.name}</h1>
        {summary.kind && <span className="chip">{summary.kind === 'local' ? 'local cluster' : 'SSH cluster'}</span>}
        <StateLabel icon={look.icon} tone={look.tone} word={connection.label} spinning={look.spinning} title={connection.detail} />
        <span className="cluster-detail">{connection.detail}</span>
        {connection.state === 'version-mismatch' && (
          <button type="button" className="button" onClick={() => void session.hostActions.upgrade()} data-testid="cluster-upgrade">
            <ArrowUpFromLine size={14} aria-hidden="true" /> Upgrade agents
          </button>
        )}
      </div>
      <dl className="figures">
        {figures.map((f) => (
          <div key={f.label} className="figure" data-testid={f.testId}>
            <dt>{f.label}</dt>
            <dd className="num">{f.value}</dd>
          </div>
        ))}
      </dl>
    </header>
  );
}
