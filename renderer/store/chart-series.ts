/**
 * Turns samples into the column arrays uPlot plots: x in seconds, then one column per series.
 * Kept apart from the chart component so the numbers can be tested without a canvas.
 */
import type { MetricsSample } from '../../protocol/host.ts';
import { percentOf } from '../format/percent.ts';

export type ChartKind = 'cpu' | 'memory' | 'gpu';

/** The live charts show the last five minutes. */
export const CHART_WINDOW_MS = 5 * 60 * 1000;

export interface ChartSeries {
  /** `[x, ...y]`; null marks a gap (a GPU whose driver reported N/A). */
  columns: [number[], ...Array<Array<number | null>>];
  /** One label per y column, e.g. "GPU 0". */
  labels: string[];
}

/** CPU busy share, memory used share, or utilisation of each of `gpuIndexes`, all in %. */
export function chartSeries(kind: ChartKind, samples: readonly MetricsSample[], gpuIndexes: readonly number[] = []): ChartSeries {
  const xs = samples.map((s) => s.atMs / 1000);
  if (kind === 'cpu') return { columns: [xs, samples.map((s) => s.cpuPct)], labels: ['CPU'] };
  if (kind === 'memory') {
    return { columns: [xs, samples.map((s) => percentOf(s.memUsedBytes, s.memTotalBytes))], labels: ['Memory'] };
  }
  const columns: ChartSeries['columns'] = [xs];
  for (const index of gpuIndexes) {
    columns.push(samples.map((s) => s.gpus.find((g) => g.index === index)?.utilizationPct ?? null));
  }
  return { columns, labels: gpuIndexes.map((index) => `GPU ${index}`) };
}

/** The newest non-null value of column `column` (1-based like uPlot's series), for captions. */
export function latestValue(series: ChartSeries, column: number): number | null {
  const values = series.columns[column];
  if (values === undefined) return null;
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}
