/**
 * One host: who it is (name, roles, health), what it has (OS, CPU, memory, disks, GPUs,
 * labels) and how busy it is now and over the last minutes.
 */
import { Tag } from 'lucide-react';
import { useEffect, useMemo, useRef } from 'react';
import type { ClusterHost } from '../../../protocol/host.ts';
import { formatBytes, formatBytesOf } from '../../format/bytes.ts';
import { formatCores, percentOf } from '../../format/percent.ts';
import { useAppState } from '../../store/app-store.ts';
import { selectHostFocus } from '../../store/cluster-slice.ts';
import { hostStateOf } from '../../store/host-rows.ts';
import { selectLatestSample } from '../../store/metrics-slice.ts';
import { Meter } from '../common/Meter.tsx';
import { RelativeTime } from '../common/RelativeTime.tsx';
import { hostStateLook } from '../common/host-state-look.ts';
import { StateLabel } from '../common/StateLabel.tsx';
import { DiskList } from './DiskList.tsx';
import { GpuList } from './GpuList.tsx';
import { HostCharts } from './HostCharts.tsx';

/**
 * The newest focus request already acted on. Cards remount when the user returns to the
 * Cluster section; an old request must not pull focus again then.
 */
let handledFocusSeq = 0;

export function HostCard({ host }: { host: ClusterHost }) {
  const latest = useAppState(useMemo(() => selectLatestSample(host.hostId), [host.hostId]));
  const focus = useAppState(selectHostFocus);
  // The host list is re-read only when a host's state changes; live samples arrive with
  // every heartbeat, so the newest of the two says when the host was last heard from.
  const heardAtMs = Math.max(host.lastHeartbeatMs, latest?.atMs ?? 0);
  const card = useRef<HTMLElement>(null);
  const { inventory } = host;
  const healthy = host.state === 'healthy';
  const look = hostStateLook(hostStateOf(host, null, null, null), host.state);
  const headingId = `host-${host.hostId}-name`;

  useEffect(() => {
    if (focus?.hostId !== host.hostId || card.current === null || focus.seq <= handledFocusSeq) return;
    handledFocusSeq = focus.seq;
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    card.current.scrollIntoView({ block: 'start', behavior: reduceMotion ? 'auto' : 'smooth' });
    card.current.focus({ preventScroll: true });
  }, [focus, host.hostId]);

  const memTotal = latest?.memTotalBytes || inventory.memory.totalBytes;
  const os = [`${inventory.os.name} ${inventory.os.version}`.trim(), inventory.os.arch, `kernel ${inventory.kernel}`].filter(Boolean).join(' · ');

  return (
    <article
      ref={card}
      className="host-card"
      data-testid="host-card"
      data-host-id={host.hostId}
      data-state={host.state}
      data-focused={focus?.hostId === host.hostId ? 'true' : undefined}
      aria-labelledby={headingId}
      tabIndex={-1}
    >
      <header className="host-header">
        <div className="host-title">
          <h2 id={headingId} data-testid="host-name">
            {host.hostId}
          </h2>
          {host.roles.map((role) => (
            <span key={role} className="badge" data-role={role} data-testid="host-role">
              {role}
            </span>
          ))}
          <StateLabel
            icon={look.icon}
            tone={look.tone}
            word={look.word}
            testId="host-health"
            dataState={host.state}
          />
        </div>
        <div className="host-meta">
          <span className="mono" title="Address">
            {host.address}
          </span>
          <span>agent {host.agentVersion}</span>
          <span>
            heartbeat <RelativeTime atMs={heardAtMs} />
          </span>
        </div>
      </header>

      <div className="host-body">
        <section className="host-overview" aria-label={`${host.hostId} inventory and usage`}>
          <dl className="facts">
            <div>
              <dt>System</dt>
              <dd data-testid="host-os">{os}</dd>
            </div>
            <div>
              <dt>CPU</dt>
              <dd>
                <span className="cpu-model">{inventory.cpu.model}</span> ·{' '}
                <span className="num" data-testid="host-cpu-cores">
                  {formatCores(inventory.cpu.cores)}
                </span>
              </dd>
            </div>
            <div>
              <dt>Memory</dt>
              <dd className="num" data-testid="host-memory-total" data-bytes={inventory.memory.totalBytes}>
                {formatBytes(inventory.memory.totalBytes)}
              </dd>
            </div>
          </dl>
          <div className="meters">
            <Meter label="CPU" percent={latest?.cpuPct ?? null} testId="host-cpu-usage" />
            <Meter
              label="Memory"
              percent={latest ? percentOf(latest.memUsedBytes, memTotal) : null}
              valueText={latest ? formatBytesOf(latest.memUsedBytes, memTotal) : undefined}
              testId="host-memory-usage"
            />
          </div>
          {!healthy && (
            <p className="stale-note">
              Figures are from the last heartbeat, <RelativeTime atMs={heardAtMs} />.
            </p>
          )}
        </section>
        <HostCharts host={host} />
        <GpuList host={host} latest={latest} />
        <DiskList disks={inventory.disks} />
        {inventory.labels.length > 0 && (
          <ul className="chips" aria-label="Labels">
            {inventory.labels.map((label) => (
              <li key={label} className="chip" data-testid="host-label">
                <Tag size={11} aria-hidden="true" />
                {label}
              </li>
            ))}
          </ul>
        )}
      </div>
    </article>
  );
}
