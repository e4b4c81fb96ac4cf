import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sample } from '../testing/hosts.ts';
import { CHART_WINDOW_MS, chartSeries, latestValue } from './chart-series.ts';
import { appendSamples, emptyMetricsBuffer, samplesWithin } from './metrics-buffer.ts';

const times = (buffer: { samples: readonly { atMs: number }[] }) => buffer.samples.map((s) => s.atMs);

describe('metrics buffer', () => {
  it('appends live samples in order', () => {
    let buffer = emptyMetricsBuffer(5);
    for (const at of [1, 2, 3]) buffer = appendSamples(buffer, [sample(at)]);
    assert.deepEqual(times(buffer), [1, 2, 3]);
  });

  it('keeps only the newest samples once full', () => {
    let buffer = emptyMetricsBuffer(3);
    for (let at = 1; at <= 10; at += 1) buffer = appendSamples(buffer, [sample(at)]);
    assert.deepEqual(times(buffer), [8, 9, 10]);
  });

  it('merges an overlapping seed without duplicates, in time order', () => {
    let buffer = appendSamples(emptyMetricsBuffer(10), [sample(5), sample(6)]);
    buffer = appendSamples(buffer, [sample(3), sample(4), sample(5)]);
    assert.deepEqual(times(buffer), [3, 4, 5, 6]);
  });

  it('caps a seed larger than the buffer to its newest part', () => {
    const seed = Array.from({ length: 8 }, (_, i) => sample(i + 1));
    assert.deepEqual(times(appendSamples(emptyMetricsBuffer(4), seed)), [5, 6, 7, 8]);
  });

  it('returns a new buffer and leaves the old one untouched', () => {
    const before = appendSamples(emptyMetricsBuffer(2), [sample(1), sample(2)]);
    const after = appendSamples(before, [sample(3)]);
    assert.deepEqual(times(before), [1, 2]);
    assert.deepEqual(times(after), [2, 3]);
    assert.equal(appendSamples(after, []), after);
  });

  it('cuts the chart window back from the newest sample', () => {
    const buffer = appendSamples(emptyMetricsBuffer(), [sample(0), sample(100_000), sample(400_000)]);
    assert.deepEqual(
      samplesWithin(buffer, CHART_WINDOW_MS).map((s) => s.atMs),
      [100_000, 400_000],
    );
  });
});

describe('chart series', () => {
  const samples = [
    sample(2_000, { cpuPct: 10, memUsedBytes: 1, memTotalBytes: 4, gpus: [{ index: 0, utilizationPct: 50, memoryUsedMiB: 1 }] }),
    sample(4_000, { cpuPct: 20, memUsedBytes: 2, memTotalBytes: 4, gpus: [{ index: 0, utilizationPct: null, memoryUsedMiB: 1 }] }),
  ];

  it('plots time in seconds and CPU as given', () => {
    assert.deepEqual(chartSeries('cpu', samples).columns, [
      [2, 4],
      [10, 20],
    ]);
  });

  it('plots memory as a share of the total', () => {
    assert.deepEqual(chartSeries('memory', samples).columns[1], [25, 50]);
  });

  it('plots one column per GPU with gaps where the driver said N/A', () => {
    const gpu = chartSeries('gpu', samples, [0, 1]);
    assert.deepEqual(gpu.labels, ['GPU 0', 'GPU 1']);
    assert.deepEqual(gpu.columns[1], [50, null]);
    assert.deepEqual(gpu.columns[2], [null, null]);
    assert.equal(latestValue(gpu, 1), 50);
    assert.equal(latestValue(gpu, 2), null);
  });
});
