/**
 * A small live line chart (uPlot on a canvas) of percentages over the chart window. The plot
 * is rebuilt only when the theme or the number of series changes; new samples just replace
 * its data. `data-points` says how many samples are plotted, for tests and the curious.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatClockTime } from '../../format/time.ts';
import { formatPercent } from '../../format/percent.ts';
import { CHART_WINDOW_MS, latestValue, type ChartKind, type ChartSeries } from '../../store/chart-series.ts';
import { resolveCssColour, withAlpha } from '../common/css-colour.ts';
import type { ResolvedTheme } from '../common/theme.ts';

const HEIGHT = 96;
const FONT = '10px system-ui, -apple-system, "Segoe UI", sans-serif';
const WINDOW_S = CHART_WINDOW_MS / 1000;
/** Ticks on whole minutes only, so "21:01" never appears twice on the axis. */
const MINUTE_STEPS = [60, 120, 300];
/** GPU series cycle through these tokens; the legend names each GPU next to its colour. */
const GPU_TOKENS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'] as const;

export interface LiveChartProps {
  kind: ChartKind;
  title: string;
  series: ChartSeries;
  theme: ResolvedTheme;
}

function seriesToken(kind: ChartKind, index: number): string {
  if (kind === 'cpu') return '--chart-cpu';
  if (kind === 'memory') return '--chart-memory';
  return GPU_TOKENS[index % GPU_TOKENS.length]!;
}

function buildOptions(kind: ChartKind, labels: string[], scope: HTMLElement): uPlot.Options {
  const axis = resolveCssColour('--fg-subtle', scope);
  const grid = resolveCssColour('--chart-grid', scope);
  const colours = labels.map((_, i) => resolveCssColour(seriesToken(kind, i), scope));
  const axisStyle = { stroke: axis, font: FONT, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 3 } };
  return {
    width: Math.max(120, scope.clientWidth),
    height: HEIGHT,
    padding: [6, 16, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
    scales: {
      x: {
        time: true,
        // A fixed window, so the line grows from the right and the axis does not rescale.
        range: (_u, _min, max) => {
          const right = max ?? Date.now() / 1000;
          return [right - WINDOW_S, right];
        },
      },
      y: { auto: false, range: [0, 100] },
    },
    axes: [
      { ...axisStyle, size: 22, space: 44, incrs: MINUTE_STEPS, values: (_u, splits) => splits.map((s) => formatClockTime(s * 1000).slice(0, 5)) },
      { ...axisStyle, size: 36, splits: () => [0, 50, 100], values: (_u, splits) => splits.map((s) => `${s}%`) },
    ],
    series: [
      {},
      ...labels.map((label, i) => ({
        label,
        stroke: colours[i],
        width: 1.5,
        // One filled area reads well; several overlapping GPU fills would not.
        ...(kind === 'gpu' ? {} : { fill: withAlpha(colours[i] ?? axis, 0.14) }),
        // Lines need two samples; until then the lone sample shows as a dot.
        points: { show: (_u: uPlot, _series: number, first: number, last: number) => last - first < 1, size: 4 },
      })),
    ],
  };
}

export function LiveChart({ kind, title, series, theme }: LiveChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(series);
  latest.current = series;
  const seriesCount = series.labels.length;
  const points = series.columns[0].length;

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const u = new uPlot(buildOptions(kind, latest.current.labels, el), latest.current.columns as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(120, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [kind, seriesCount, theme]);

  useEffect(() => {
    plot.current?.setData(series.columns as uPlot.AlignedData);
  }, [series]);

  const values = series.labels.map((label, i) => ({ label, value: latestValue(series, i + 1), token: seriesToken(kind, i) }));
  const spoken = values.map((v) => `${v.label} ${formatPercent(v.value)}`).join(', ');

  return (
    <figure className="chart" data-testid={`chart-${kind}`} data-points={points}>
      <figcaption className="chart-caption">
        <span className="chart-title">{title}</span>
        <span className="chart-legend">
          {values.map((v) => (
            <span key={v.label} className="chart-legend-item num">
              {seriesCount > 1 && <span className="swatch" style={{ background: `var(${v.token})` }} aria-hidden="true" />}
              {seriesCount > 1 && <span className="chart-legend-label">{v.label.replace('GPU ', '#')}</span>}
              {formatPercent(v.value)}
            </span>
          ))}
        </span>
      </figcaption>
      <div className="chart-plot" ref={box} role="img" aria-label={`${title} over the last 5 minutes; now ${spoken}`}>
        {points === 0 && <span className="chart-waiting">Waiting for samples…</span>}
      </div>
    </figure>
  );
}
