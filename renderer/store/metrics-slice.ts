/** Recent CPU, memory and GPU samples per host, for the meters and live charts. */
import type { MetricsSample } from '../../protocol/host.ts';
import type { AppState, SliceCreator } from './app-state.ts';
import { appendSamples, emptyMetricsBuffer, type MetricsBuffer } from './metrics-buffer.ts';

export interface MetricsSlice {
  metrics: Record<string, MetricsBuffer>;
  /** History from `cluster.metrics`; may overlap samples that already arrived live. */
  metricsSeeded(hostId: string, samples: readonly MetricsSample[]): void;
  /** One sample from a `host.metrics` event. */
  metricsSampled(hostId: string, sample: MetricsSample): void;
}

export const createMetricsSlice: SliceCreator<MetricsSlice> = (set) => {
  const add = (hostId: string, samples: readonly MetricsSample[]) =>
    set((s) => ({
      metrics: { ...s.metrics, [hostId]: appendSamples(s.metrics[hostId] ?? emptyMetricsBuffer(), samples) },
    }));
  return {
    metrics: {},
    metricsSeeded: (hostId, samples) => add(hostId, samples),
    metricsSampled: (hostId, sample) => add(hostId, [sample]),
  };
};

const noSamples = emptyMetricsBuffer();

/** A stable empty buffer for hosts without samples, so selectors do not re-render for nothing. */
export const selectMetrics =
  (hostId: string) =>
  (s: AppState): MetricsBuffer =>
    s.metrics[hostId] ?? noSamples;

/** The newest sample: live if any arrived, else the one the host list carried. */
export const selectLatestSample =
  (hostId: string) =>
  (s: AppState): MetricsSample | null =>
    s.metrics[hostId]?.samples.at(-1) ?? s.hosts.find((h) => h.hostId === hostId)?.latest ?? null;
