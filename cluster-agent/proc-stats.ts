/**
 * CPU and memory readings for metrics samples: pure parsers for `/proc/stat` and
 * `/proc/meminfo`, the busy-share arithmetic, and readers that fall back to `os` where
 * /proc does not exist (a macOS laptop running the local cluster).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** Cumulative CPU time of all cores, in any consistent unit. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * Parses the aggregate `cpu` line of /proc/stat: user nice system idle iowait irq
 * softirq steal guest guest_nice. Idle time is idle + iowait; guest time is already
 * counted in user and nice, so it is not added again.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (values.length < 4 || values.some((v) => !Number.isFinite(v))) return undefined;
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU times summed over `os.cpus()`, for systems without /proc/stat. */
export function cpuTimesFromOs(cpus: readonly os.CpuInfo[] = os.cpus()): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus) {
    const sum = times.user + times.nice + times.sys + times.irq + times.idle;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

/** Busy share (0–100) between two readings; 0 when no time passed or the counters reset. */
export function cpuBusyPct(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  if (total <= 0 || busy < 0) return 0;
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

/** Reads cumulative CPU times now. */
export async function readCpuTimes(): Promise<CpuTimes> {
  try {
    return parseProcStat(await readFile('/proc/stat', 'utf8')) ?? cpuTimesFromOs();
  } catch {
    return cpuTimesFromOs();
  }
}

/** Memory in bytes: total, and used as MemTotal − MemAvailable (what the kernel cannot reclaim). */
export interface MemoryReading {
  totalBytes: number;
  usedBytes: number;
}

/** Parses /proc/meminfo (`MemTotal:  24576000 kB`); undefined without MemTotal and MemAvailable. */
export function parseMeminfo(text: string): MemoryReading | undefined {
  const kib = (key: string): number | undefined => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  if (total === undefined || available === undefined) return undefined;
  return { totalBytes: total, usedBytes: Math.max(0, total - available) };
}

/** Reads memory use now. */
export async function readMemory(): Promise<MemoryReading> {
  const fromOs = (): MemoryReading => ({ totalBytes: os.totalmem(), usedBytes: os.totalmem() - os.freemem() });
  try {
    return parseMeminfo(await readFile('/proc/meminfo', 'utf8')) ?? fromOs();
  } catch {
    return fromOs();
  }
}
