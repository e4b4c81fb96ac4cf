/**
 * The host's GPUs, one row each: memory and utilisation as bars, temperature and power when
 * the driver reports them. Live samples win over the inventory's snapshot.
 */
import { Gpu as GpuIcon } from 'lucide-react';
import type { ClusterHost, MetricsSample } from '../../../protocol/host.ts';
import { formatBytesOf, mibToBytes } from '../../format/bytes.ts';
import { formatPower, formatTemperature, percentOf } from '../../format/percent.ts';
import { Meter } from '../common/Meter.tsx';

export function GpuList({ host, latest }: { host: ClusterHost; latest: MetricsSample | null }) {
  const { gpus, gpuNote } = host.inventory;
  return (
    <section className="host-section" aria-label={`${host.hostId} GPUs`}>
      <h3>
        <GpuIcon size={13} aria-hidden="true" /> GPUs <span className="count num">{gpus.length}</span>
      </h3>
      {gpus.length === 0 ? (
        <p className="empty-line" data-testid="gpu-empty">
          No GPUs found{gpuNote ? ` — ${gpuNote}` : '.'}
        </p>
      ) : (
        <ul className="gpu-list">
          {gpus.map((gpu) => {
            const live = latest?.gpus.find((g) => g.index === gpu.index);
            const usedMiB = live?.memoryUsedMiB ?? gpu.memoryUsedMiB;
            const utilization = live ? live.utilizationPct : gpu.utilizationPct;
            return (
              <li key={gpu.uuid || gpu.index} className="gpu-row" data-testid="gpu-row" data-gpu-index={gpu.index}>
                <span className="gpu-index mono" title={gpu.uuid}>
                  GPU {gpu.index}
                </span>
                <span className="gpu-name" data-testid="gpu-name">
                  {gpu.name}
                </span>
                <Meter
                  label="Memory"
                  percent={percentOf(usedMiB, gpu.memoryTotalMiB)}
                  valueText={formatBytesOf(mibToBytes(usedMiB), mibToBytes(gpu.memoryTotalMiB))}
                  testId="gpu-memory"
                  className="gpu-memory"
                />
                <Meter label="Util" percent={utilization} testId="gpu-utilization" className="gpu-utilization" />
                <span className="gpu-extra gpu-temperature num" title="Temperature">
                  {formatTemperature(gpu.temperatureC)}
                </span>
                <span className="gpu-extra gpu-power num" title="Power draw">
                  {formatPower(gpu.powerW)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
