/**
 * The recent samples of one host: a capped, time-ordered buffer. Immutable so the store can
 * hand it to React as is; a new buffer shares nothing mutable with the old one.
 */
import type { MetricsSample } from '../../protocol/host.ts';

/** 300 samples at one per ~2 s is ten minutes: twice the charts' window, for late seeding. */
export const METRICS_CAPACITY = 300;

export interface MetricsBuffer {
  readonly capacity: number;
  /** Oldest first, strictly increasing `atMs`. */
  readonly samples: readonly MetricsSample[];
}

export function emptyMetricsBuffer(capacity: number = METRICS_CAPACITY): MetricsBuffer {
  return { capacity, samples: [] };
}

/**
 * Adds samples in any order. A seed from `cluster.metrics` and the live events overlap, so
 * samples already present (same `atMs`) are skipped rather than plotted twice.
 */
export function appendSamples(buffer: MetricsBuffer, incoming: readonly MetricsSample[]): MetricsBuffer {
  if (incoming.length === 0) return buffer;
  const last = buffer.samples.at(-1);
  // The common case, one new live sample, needs no merge.
  if (incoming.length === 1 && (last === undefined || incoming[0]!.atMs > last.atMs)) {
    const next = buffer.samples.length >= buffer.capacity ? buffer.samples.slice(1 - buffer.capacity) : buffer.samples.slice();
    next.push(incoming[0]!);
    return { capacity: buffer.capacity, samples: next };
  }
  const byTime = new Map<number, MetricsSample>();
  for (const sample of buffer.samples) byTime.set(sample.atMs, sample);
  for (const sample of incoming) if (!byTime.has(sample.atMs)) byTime.set(sample.atMs, sample);
  const merged = [...byTime.values()].sort((a, b) => a.atMs - b.atMs);
  return { capacity: buffer.capacity, samples: merged.slice(-buffer.capacity) };
}

/** Samples no older than `windowMs` before the newest one. */
export function samplesWithin(buffer: MetricsBuffer, windowMs: number): readonly MetricsSample[] {
  const last = buffer.samples.at(-1);
  if (last === undefined) return buffer.samples;
  const from = last.atMs - windowMs;
  const firstInside = buffer.samples.findIndex((s) => s.atMs >= from);
  return firstInside <= 0 ? buffer.samples : buffer.samples.slice(firstInside);
}
