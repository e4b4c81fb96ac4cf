/**
 * A job's GPU use, from `nvidia-smi`: the utilization and memory of the cards it was
 * given (GPUs are given whole, so a card's figures are the job's), and the GPU memory its
 * own processes hold (`--query-compute-apps`), where the driver reports them.
 */
import { execFile } from 'node:child_process';
import { parseGpuCsv, queryGpus, sampleGpuFields, toGpuSamples } from '../inventory/nvidia-smi.ts';
import type { GpuSample } from '../../protocol/host.ts';

/** What one look at the job's GPUs found. */
export interface JobGpuUse {
  /** The job's cards. */
  gpus: GpuSample[];
  /** GPU memory held by the job's processes, in MiB; null where the driver does not say. */
  processMemoryMiB: number | null;
  /** Why a figure is missing, in words. */
  note?: string;
}

const computeAppFields = ['pid', 'used_memory'] as const;

/** Sums `used_memory` (MiB) of the compute apps of csv,noheader,nounits output whose pid is in `pids`. */
export function jobProcessGpuMemoryMiB(output: string, pids: ReadonlySet<number>): number {
  let total = 0;
  for (const row of parseGpuCsv(output, computeAppFields).rows) {
    const pid = Number(row['pid']);
    const used = Number(row['used_memory']);
    if (pids.has(pid) && Number.isFinite(used) && used > 0) total += used;
  }
  return total;
}

/** Looks at the job's GPUs through `nvidiaSmi`; never throws. */
export async function sampleJobGpus(nvidiaSmi: string, gpuIndices: readonly number[], pids: ReadonlySet<number>, timeoutMs = 5000): Promise<JobGpuUse> {
  const cards = await queryGpus(nvidiaSmi, sampleGpuFields, timeoutMs);
  const gpus = toGpuSamples(cards.rows).filter((gpu) => gpuIndices.includes(gpu.index));
  const apps = await computeApps(nvidiaSmi, timeoutMs);
  const processMemoryMiB = apps.output === undefined ? null : jobProcessGpuMemoryMiB(apps.output, pids);
  const note = [cards.note, apps.note].filter((text) => text !== undefined).join('; ');
  return note === '' ? { gpus, processMemoryMiB } : { gpus, processMemoryMiB, note };
}

function computeApps(nvidiaSmi: string, timeoutMs: number): Promise<{ output?: string; note?: string }> {
  const args = [`--query-compute-apps=${computeAppFields.join(',')}`, '--format=csv,noheader,nounits'];
  return new Promise((resolve) => {
    execFile(nvidiaSmi, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (err, stdout) => {
      if (err === null) {
        resolve({ output: stdout });
        return;
      }
      const said = stdout.split('\n').map((line) => line.trim()).find((line) => line !== '');
      resolve({ note: `${nvidiaSmi} does not report GPU memory per process (${err.code ?? err.signal ?? 'failed'}${said === undefined ? '' : `: ${said}`})` });
    });
  });
}
