/**
 * The metrics sampler: every `metricsIntervalMs` it takes a `MetricsSample` (CPU busy
 * share over the interval, memory in use, per-GPU utilization and memory) and keeps the
 * newest `metricsRetention` of them.
 */
import type { MetricsSample } from '../protocol/host.ts';
import { limits } from '../protocol/limits.ts';
import type { AgentLog } from './log.ts';
import { cpuBusyPct, readCpuTimes, readMemory, type CpuTimes } from './proc-stats.ts';
import { queryGpus, sampleGpuFields, toGpuSamples, type GpuQueryResult } from './inventory/nvidia-smi.ts';
import { RingBuffer } from './ring-buffer.ts';

/** What the sampler needs from the configuration. */
export interface SamplerSettings {
  metricsIntervalMs: number;
  metricsRetention: number;
  nvidiaSmi: string;
}

export type SampleListener = (sample: MetricsSample) => void;

/**
 * How often a host without `nvidia-smi` looks for it again. Starting a process costs the
 * agent's thread 10-20 ms (it forks the whole agent), too much to spend every sample on a
 * command that is not there; a driver installed meanwhile is found within this time.
 */
const missingGpuToolRecheckMs = 60_000;

/** Takes samples on a timer; `start()` takes the first one at once. */
export class MetricsSampler {
  private readonly settings: SamplerSettings;
  private readonly log: AgentLog;
  private readonly buffer: RingBuffer<MetricsSample>;
  private readonly listeners = new Set<SampleListener>();
  private previousCpu: CpuTimes = { busy: 0, total: 0 };
  private gpuNote: string | undefined;
  /** While `nvidia-smi` is missing: when to look for it again. */
  private gpuToolRecheckAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;

  constructor(settings: SamplerSettings, log: AgentLog) {
    this.settings = settings;
    this.log = log;
    this.buffer = new RingBuffer(settings.metricsRetention);
  }

  /**
   * Takes the first sample and schedules the rest. The first sample's CPU share is the
   * average since boot (there is no earlier reading), so a sample exists from the start.
   */
  async start(): Promise<void> {
    this.running = true;
    await this.tick();
  }

  /** Stops sampling and waits for a sample being taken to finish. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Calls `listener` with every new sample; returns a function that stops it. */
  onSample(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The newest sample, if one was taken. */
  latest(): MetricsSample | undefined {
    return this.buffer.latest();
  }

  /** Kept samples newer than `sinceMs`, oldest first, at most `limits.maxMetricsSamples` (the newest). */
  samples(sinceMs = 0): MetricsSample[] {
    return this.buffer
      .toArray()
      .filter((s) => s.atMs > sinceMs)
      .slice(-limits.maxMetricsSamples);
  }

  private async tick(): Promise<void> {
    const startedAt = Date.now();
    const taking = this.take();
    this.inFlight = taking;
    await taking;
    if (!this.running) return;
    // Keep the cadence: the next sample is due one interval after this one started.
    const delay = Math.max(0, this.settings.metricsIntervalMs - (Date.now() - startedAt));
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async take(): Promise<void> {
    try {
      const gpuTimeoutMs = Math.min(5000, Math.max(1000, this.settings.metricsIntervalMs));
      const lookForGpus = Date.now() >= this.gpuToolRecheckAtMs;
      const [cpu, memory, gpus] = await Promise.all([
        readCpuTimes(),
        readMemory(),
        lookForGpus ? queryGpus(this.settings.nvidiaSmi, sampleGpuFields, gpuTimeoutMs) : ({ rows: [], note: this.gpuNote, missing: true } satisfies GpuQueryResult),
      ]);
      if (lookForGpus) this.gpuToolRecheckAtMs = gpus.missing === true ? Date.now() + missingGpuToolRecheckMs : 0;
      this.noteGpus(gpus.note);
      const sample: MetricsSample = {
        atMs: Date.now(),
        cpuPct: cpuBusyPct(this.previousCpu, cpu),
        memUsedBytes: memory.usedBytes,
        memTotalBytes: memory.totalBytes,
        gpus: toGpuSamples(gpus.rows),
      };
      this.previousCpu = cpu;
      this.buffer.push(sample);
      for (const listener of this.listeners) listener(sample);
    } catch (err) {
      this.log.error('metrics sample failed', { err });
    }
  }

  /** Logs a GPU problem when it appears or changes, not on every sample. */
  private noteGpus(note: string | undefined): void {
    if (note === this.gpuNote) return;
    if (note === undefined) this.log.info('gpu metrics recovered');
    else this.log.info('gpu metrics unavailable', { note });
    this.gpuNote = note;
  }
}
