/**
 * A running job's CPU, memory and GPU use over the last minutes, one line per host, drawn
 * by the hosts' live chart; for a job that is over, its totals.
 */
import { lazy, Suspense, useMemo } from 'react';
import type { Job } from '../../../protocol/jobs-api.ts';
import { formatSize } from '../../../protocol/quantities.ts';
import { useAppState } from '../../store/app-store.ts';
import { isJobOver } from '../../store/jobs-list.ts';
import { hasGpuSamples, jobUsageSeries } from '../../store/jobs-usage.ts';
import { useResolvedTheme } from '../common/theme.ts';

const LiveChart = lazy(() => import('../cluster/LiveChart.tsx').then((m) => ({ default: m.LiveChart })));

const none: never[] = [];

export function JobUsageCharts({ job }: { job: Job }) {
  const usage = useAppState((s) => (s.jobUsage?.jobId === job.jobId ? s.jobUsage.samples : none));
  const theme = useResolvedTheme();
  const placement = job.placement ?? none;
  const cpu = useMemo(() => jobUsageSeries('cpu', usage, placement), [usage, placement]);
  const memory = useMemo(() => jobUsageSeries('memory', usage, placement), [usage, placement]);
  const gpu = useMemo(() => jobUsageSeries('gpu', usage, placement), [usage, placement]);
  // Several hosts need a colour each; the GPU palette gives that.
  const kind = (single: 'cpu' | 'memory') => (placement.length > 1 ? 'gpu' : single);

  const totals = job.usage;
  return (
    <section className="job-usage" aria-label="Resource use" data-testid="job-usage">
      {totals !== undefined && isJobOver(job.state) && (
        <p className="job-usage-totals num">
          CPU time {Math.round(totals.cpuSeconds).toLocaleString()} s · peak memory {formatSize(totals.peakMemoryBytes)}
          {totals.peakGpuPercent !== undefined && ` · peak GPU ${Math.round(totals.peakGpuPercent)} %`}
        </p>
      )}
      {(usage.length > 0 || !isJobOver(job.state)) && (
        <div className="job-charts">
          <Suspense fallback={<figure className="chart chart-loading" aria-busy="true" />}>
            <LiveChart kind={kind('cpu')} title="CPU (of its CPUs)" series={cpu} theme={theme} />
            <LiveChart kind={kind('memory')} title="Memory (of its memory)" series={memory} theme={theme} />
            {(hasGpuSamples(usage) || job.spec.resources?.gpus !== undefined) && <LiveChart kind="gpu" title="GPU utilization" series={gpu} theme={theme} />}
          </Suspense>
        </div>
      )}
    </section>
  );
}
