/** The host's live charts: CPU, memory, and the utilisation of each GPU. */
import { lazy, Suspense, useMemo } from 'react';
import type { ClusterHost } from '../../../protocol/host.ts';
import { useAppState } from '../../store/app-store.ts';
import { CHART_WINDOW_MS, chartSeries } from '../../store/chart-series.ts';
import { samplesWithin } from '../../store/metrics-buffer.ts';
import { selectMetrics } from '../../store/metrics-slice.ts';
import { useResolvedTheme } from '../common/theme.ts';

// uPlot loads after the first paint: the host's figures show at once, the charts a moment later.
const LiveChart = lazy(() => import('./LiveChart.tsx').then((m) => ({ default: m.LiveChart })));

export function HostCharts({ host }: { host: ClusterHost }) {
  const buffer = useAppState(useMemo(() => selectMetrics(host.hostId), [host.hostId]));
  const theme = useResolvedTheme();
  // Host lists arrive as new objects on every change; key the GPUs by their indexes.
  const gpuKey = host.inventory.gpus.map((g) => g.index).join(',');
  const samples = useMemo(() => samplesWithin(buffer, CHART_WINDOW_MS), [buffer]);
  const cpu = useMemo(() => chartSeries('cpu', samples), [samples]);
  const memory = useMemo(() => chartSeries('memory', samples), [samples]);
  const gpu = useMemo(() => chartSeries('gpu', samples, gpuKey === '' ? [] : gpuKey.split(',').map(Number)), [samples, gpuKey]);

  return (
    <section className="host-charts" aria-label={`${host.hostId} usage over the last 5 minutes`}>
      <Suspense fallback={<figure className="chart chart-loading" aria-busy="true" />}>
        <LiveChart kind="cpu" title="CPU" series={cpu} theme={theme} />
        <LiveChart kind="memory" title="Memory" series={memory} theme={theme} />
        {gpuKey !== '' && <LiveChart kind="gpu" title="GPU utilization" series={gpu} theme={theme} />}
      </Suspense>
    </section>
  );
}
