/**
 * Samples what a running job uses: CPU and resident memory of every live process of its
 * group (from /proc), and its GPUs through `nvidia-smi` when the job has GPUs and the
 * host has the tool.
 */
import { RingBuffer } from '../ring-buffer.ts';
import { sampleJobGpus, type JobGpuUse } from './gpu-use.ts';
import { clockTicksPerSecond, groupMembers, readRssBytes } from './proc-group.ts';

/** One look at a job's use. */
export interface JobUsageSample {
  atMs: number;
  /** CPU time used since the previous sample over the time passed, in % of one core (400 = four busy cores). */
  cpuPct: number;
  /** Resident memory of the group's processes, summed. */
  memoryBytes: number;
  /** Live processes in the group. */
  processes: number;
  gpu?: JobGpuUse;
}

/** Totals over a run. */
export interface JobUsageSummary {
  /** CPU seconds of every process of the group seen alive (up to its last sample). */
  cpuSeconds: number;
  peakMemoryBytes: number;
  samples: number;
}

export interface JobUsageOptions {
  pgid: number;
  /** When the job started, for the first sample's CPU share. */
  startedAtMs: number;
  intervalMs: number;
  /** Samples kept, the newest. */
  retention: number;
  /** `nvidia-smi` to ask, or undefined to leave GPUs out. */
  nvidiaSmi?: string;
  gpuIndices: readonly number[];
}

export type UsageListener = (sample: JobUsageSample) => void;

/** Takes a sample every `intervalMs` from `start()` to `stop()`. */
export class JobUsageSampler {
  private readonly options: JobUsageOptions;
  private readonly buffer: RingBuffer<JobUsageSample>;
  private readonly listeners = new Set<UsageListener>();
  /** CPU ticks each process had at its last sample: its growth is the CPU used meanwhile. */
  private readonly ticksByPid = new Map<string, number>();
  /** CPU ticks of processes gone since: kept as a sum, so the map holds live processes only. */
  private retiredTicks = 0;
  private lastAtMs: number;
  private peakMemoryBytes = 0;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;

  constructor(options: JobUsageOptions) {
    this.options = options;
    this.buffer = new RingBuffer(options.retention);
    this.lastAtMs = options.startedAtMs;
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  /** Stops sampling and waits for a sample being taken. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Calls `listener` with each new sample; returns a function that stops it. */
  onSample(listener: UsageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Kept samples, oldest first. */
  samples(): JobUsageSample[] {
    return this.buffer.toArray();
  }

  summary(): JobUsageSummary {
    let ticks = this.retiredTicks;
    for (const value of this.ticksByPid.values()) ticks += value;
    return { cpuSeconds: ticks / clockTicksPerSecond, peakMemoryBytes: this.peakMemoryBytes, samples: this.count };
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.take()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async take(): Promise<void> {
    const atMs = Date.now();
    const members = await groupMembers(this.options.pgid);
    let usedTicks = 0;
    let memoryBytes = 0;
    const seen = new Map<string, number>();
    for (const member of members) {
      // A pid with its start time names one process, even if the pid is used again.
      const key = `${member.pid}:${member.startTicks}`;
      usedTicks += Math.max(0, member.cpuTicks - (this.ticksByPid.get(key) ?? 0));
      seen.set(key, member.cpuTicks);
      memoryBytes += await readRssBytes(member.pid);
    }
    for (const [key, ticks] of this.ticksByPid) if (!seen.has(key)) this.retiredTicks += ticks;
    this.ticksByPid.clear();
    for (const [key, ticks] of seen) this.ticksByPid.set(key, ticks);
    const seconds = Math.max(0.001, (atMs - this.lastAtMs) / 1000);
    const sample: JobUsageSample = {
      atMs,
      cpuPct: Math.round((usedTicks / clockTicksPerSecond / seconds) * 1000) / 10,
      memoryBytes,
      processes: members.length,
    };
    const { nvidiaSmi, gpuIndices } = this.options;
    if (nvidiaSmi !== undefined && gpuIndices.length > 0) {
      sample.gpu = await sampleJobGpus(nvidiaSmi, gpuIndices, new Set(members.map((member) => member.pid)));
    }
    this.lastAtMs = atMs;
    this.peakMemoryBytes = Math.max(this.peakMemoryBytes, memoryBytes);
    this.count += 1;
    this.buffer.push(sample);
    for (const listener of this.listeners) listener(sample);
  }
}
