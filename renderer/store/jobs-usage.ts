/**
 * A job's usage samples as chart columns (see `chart-series.ts`): one series per host of the
 * job, in percent. CPU is the share of the CPUs the job holds on that host (samples count
 * one busy core as 100 %, as `top` does); memory the share of the memory it holds there.
 */
import type { JobHostPlacement, JobUsageSample } from '../../protocol/jobs-api.ts';
import type { ChartKind, ChartSeries } from './chart-series.ts';

function share(value: number, whole: number): number | null {
  return whole > 0 ? Math.min(100, (value / whole) * 100) : null;
}

export function jobUsageSeries(kind: ChartKind, samples: readonly JobUsageSample[], placement: readonly JobHostPlacement[]): ChartSeries {
  const hosts = placement.length > 0 ? placement : [...new Set(samples.map((s) => s.hostId))].map((hostId) => ({ hostId, name: hostId, cpus: 0, memoryBytes: 0 }));
  const times = [...new Set(samples.map((s) => s.atMs))].sort((a, b) => a - b);
  const columns: ChartSeries['columns'] = [times.map((atMs) => atMs / 1000)];
  for (const host of hosts) {
    const byTime = new Map(samples.filter((s) => s.hostId === host.hostId || hosts.length === 1).map((s) => [s.atMs, s]));
    columns.push(
      times.map((atMs) => {
        const sample = byTime.get(atMs);
        if (sample === undefined) return null;
        if (kind === 'cpu') return host.cpus > 0 ? share(sample.cpuPercent, host.cpus * 100) : Math.min(100, sample.cpuPercent);
        if (kind === 'memory') return share(sample.memoryBytes, host.memoryBytes);
        return sample.gpuPercent ?? null;
      }),
    );
  }
  return { columns, labels: hosts.map((host) => host.name) };
}

/** Whether any sample reports GPU use (jobs without GPUs have none). */
export function hasGpuSamples(samples: readonly JobUsageSample[]): boolean {
  return samples.some((s) => s.gpuPercent !== undefined);
}
